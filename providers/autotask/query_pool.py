"""QueryPool: the queries of one read, side by side within Autotask's thread limit.

At vendor latency a read is a wait for answers: 300 pages one after another are a minute
and a half at 250 ms. Autotask limits an integration to three requests at once per endpoint
(entity), not per database, so every entity gets its own `parallelism` threads: the unit
rows, the contract services and the charges of 500 contracts are read while the next 500's
are. Pages of one query follow each other (each starts past the last id of the one before);
the parallelism is across queries, each an `in` list of at most 500 ids, so the requests
made are the same as one after another.

With `parallelism` 1 every query runs when it is asked for, in the caller's thread: one
request at a time, and the first error stops the read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from providers.autotask.client import AutotaskClient
from providers.autotask.filters import Filter, in_chunks

T = TypeVar("T")
Record = dict[str, Any]


class Pending:
    """The records of several queries, in the order they were asked for."""

    def __init__(self, futures: Iterable[Future[list[Record]]]):
        self.futures = list(futures)

    def result(self) -> list[Record]:
        records: list[Record] = []
        for future in self.futures:
            records.extend(future.result())
        return records


class QueryPool:
    """Use as a context manager; leaving it waits for (or, after an error, cancels) what
    is still queued."""

    def __init__(self, client: AutotaskClient):
        self.client = client
        self._pools: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> QueryPool:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=error is not None)

    def query(self, entity: str, filters: list[Filter], *, include_fields: Iterable[str] = ()) -> Future[list[Record]]:
        """Every record of one query (all its pages)."""
        fields = tuple(include_fields)
        return self.submit(entity, lambda: self.client.query(entity, filters, include_fields=fields))

    def query_in(
        self,
        entity: str,
        field: str,
        values: Iterable[int | str],
        *,
        also: Iterable[Filter] = (),
        include_fields: Iterable[str] = (),
    ) -> Pending:
        """`field in values`, one query per 500 values, side by side; none for no values."""
        extra = list(also)
        return Pending(
            self.query(entity, [chunk, *extra], include_fields=include_fields) for chunk in in_chunks(field, values)
        )

    def submit(self, entity: str, call: Callable[[], T]) -> Future[T]:
        """Run `call` on `entity`'s threads (its requests must all be to that entity)."""
        if self.client.parallelism == 1:
            return _done(call)
        with self._lock:
            pool = self._pools.get(entity)
            if pool is None:
                pool = self._pools[entity] = ThreadPoolExecutor(
                    max_workers=self.client.parallelism, thread_name_prefix=f"at-{entity}"
                )
        return pool.submit(call)


def _done(call: Callable[[], T]) -> Future[T]:
    """`call` run now (its error raised now, as a serial read stops at the first one)."""
    future: Future[T] = Future()
    future.set_result(call())
    return future
