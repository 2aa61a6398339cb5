"""ncesync engine: specs, billing rules, plans, apply."""

__version__ = "0.1.0"

# Importing the engine installs the log-record masking of every known secret, whoever uses
# it (the CLI, a test, a benchmark): a secret resolved anywhere can never reach a log line.
from reconciler import logs as _logs  # noqa: F401
