"""Executors (after datatrove's): where the per-document stage runs. Each is a sibling module registered here by
name; all take the same chunks and yield their results in manifest order, so the release never depends on
which one ran or how many workers it had."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from irbc.run.worker import ChunkOut, Task

# name -> run(chunks, ctx, workers, scheduler, ran_on) yielding ChunkOut in order
Executor = Callable[[list[list[Task]], Any, int, "str | None", list[str]], Iterator[ChunkOut]]
_EXECUTORS: dict[str, Callable[[], Executor]] = {}

CHUNK_DOCS = 32  # documents per task: large enough to amortise Arrow conversion, small enough to balance load


def register_executor(name: str, load: Callable[[], Executor]) -> None:
    """``load`` imports the executor only when it is used (dask is an optional extra)."""
    _EXECUTORS[name] = load


def executor_names() -> list[str]:
    return list(_EXECUTORS)


def _local() -> Executor:
    from irbc.run.local import run_local

    return run_local


def _dask() -> Executor:
    from irbc.run.dask import run_dask

    return run_dask


register_executor("local", _local)
register_executor("dask", _dask)


def chunked(tasks: list[Task], workers: int) -> list[list[Task]]:
    size = max(1, min(CHUNK_DOCS, len(tasks) // max(1, workers * 4)))
    return [tasks[i : i + size] for i in range(0, len(tasks), size)]


def run_chunks(
    tasks: list[Task],
    ctx: Any,
    workers: int,
    executor: str = "local",
    scheduler: str | None = None,
    ran_on: list[str] | None = None,
) -> Iterator[ChunkOut]:
    """Yield chunk results in manifest order on the named executor."""
    if executor not in _EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; known: {executor_names()}")
    run = _EXECUTORS[executor]()
    yield from run(chunked(tasks, workers), ctx, workers, scheduler, [] if ran_on is None else ran_on)
