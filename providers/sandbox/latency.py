"""Latency: how long the emulated vendors take to answer.

A nightly run's wall time is set by the vendors' latency (200-250 ms a request is usual
for ConnectWise and Autotask clouds), which a loopback sandbox answering in a millisecond
hides. With a latency every answer waits `fixed` seconds plus up to `jitter` more, drawn
uniformly, so benchmarks see what parallel requests and fewer requests are worth.

`NCESYNC_SANDBOX_LATENCY` sets it for a sandbox started by the CLI: `0.2` (fixed) or
`0.2+0.05` (fixed + jitter), in seconds.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

ENV_VAR = "NCESYNC_SANDBOX_LATENCY"


@dataclass(frozen=True)
class Latency:
    fixed: float = 0.0  # seconds every answer takes
    jitter: float = 0.0  # plus up to this many seconds
    seed: int | None = None  # the same seed, the same sequence of delays
    _rng: random.Random = field(init=False, repr=False, compare=False)
    _lock: threading.Lock = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.fixed < 0 or self.jitter < 0:
            raise ValueError("a latency is never negative")
        object.__setattr__(self, "_rng", random.Random(self.seed))
        object.__setattr__(self, "_lock", threading.Lock())

    def __bool__(self) -> bool:
        return self.fixed > 0 or self.jitter > 0

    def next_delay(self) -> float:
        """Seconds the next answer waits."""
        if not self.jitter:
            return self.fixed
        with self._lock:
            return self.fixed + self._rng.uniform(0.0, self.jitter)

    @classmethod
    def parse(cls, text: str) -> Latency:
        """`0.2` or `0.2+0.05`: seconds, fixed plus jitter."""
        fixed, _, jitter = text.strip().partition("+")
        try:
            return cls(float(fixed), float(jitter or 0))
        except ValueError as exc:
            raise ValueError(f"{ENV_VAR} must look like 0.2 or 0.2+0.05 (seconds), not {text!r}") from exc

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Latency:
        text = environ.get(ENV_VAR, "").strip()
        return cls.parse(text) if text else cls()

    def describe(self) -> str:
        if not self.jitter:
            return f"{self.fixed * 1000:.0f} ms"
        return f"{self.fixed * 1000:.0f}-{(self.fixed + self.jitter) * 1000:.0f} ms"
