"""The dask executor: the per-document stage on a dask.distributed cluster, a LocalCluster (loopback only) by
default or the scheduler at ``scheduler``. Results come back in manifest order, so the release is identical."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from irbc.core.errors import IrbcError
from irbc.run.worker import ChunkOut, Task, run_chunk_with

CONNECT_TIMEOUT_S = 5  # an unreachable scheduler is reported after this long


def run_dask(
    chunks: list[list[Task]], ctx: Any, workers: int, scheduler: str | None, ran_on: list[str]
) -> Iterator[ChunkOut]:
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=max(1, workers),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
            silence_logs=40,
        )
    try:
        client = Client(scheduler or cluster, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise IrbcError(f"cannot reach the dask scheduler at {scheduler}: {reason}") from None
    n = len(client.scheduler_info().get("workers", {}))
    ran_on.append(f"dask.distributed, scheduler {client.scheduler.address}, {n} workers")
    try:
        shared = client.scatter(ctx, broadcast=True)
        futures = client.map(run_chunk_with, chunks, ctx=shared, pure=False)
        yield from client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
