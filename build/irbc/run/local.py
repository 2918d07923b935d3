"""The local executor: chunks inline in this process, or on ``workers`` forked processes."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

from irbc.run.worker import ChunkOut, Task, init_worker, run_chunk

TASKS_PER_WORKER = 48  # a worker is replaced after this many chunks, so its heap never grows with the corpus


def run_local(
    chunks: list[list[Task]], ctx: Any, workers: int, scheduler: str | None, ran_on: list[str]
) -> Iterator[ChunkOut]:
    # Everything loaded so far (the context, spaCy, the codebook automaton) lives for the whole build: moved to the
    # collector's permanent generation, it is no longer walked by every full collection the records of each
    # chunk set off (about a quarter of the per-document time), and forked workers inherit it frozen.
    gc.freeze()
    if workers <= 1 or len(chunks) < 2:
        ran_on.append("this process")
        init_worker(ctx)
        yield from map(run_chunk, chunks)
        return
    import multiprocessing as mp

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    ran_on.append(f"{workers} local worker processes")
    pool = mp.get_context(method).Pool(
        workers, initializer=init_worker, initargs=(ctx,), maxtasksperchild=TASKS_PER_WORKER
    )
    try:
        yield from pool.imap(run_chunk, chunks)
    except BaseException:  # a build stopped by a bad file does not wait for the rest of the corpus
        pool.terminate()
        pool.join()
        raise
    # every chunk is in: close and join (terminate can race the pool replacing a worker that reached
    # TASKS_PER_WORKER and then wait forever for the new one)
    pool.close()
    pool.join()
