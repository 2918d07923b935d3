"""The explorer's per-document pages, rendered a span of documents at a time, in the driver or on forked worker
processes. A span reads its documents' rows by itself (``explorer_rows``), writes their pages, its part of the
search data into a file of its own and returns the documents' summaries for the index; the driver joins the parts
in document order, so the files are the same bytes whether one process renders every page or several do."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from irbc.core.memory import trim_memory
from irbc.core.tables import TableStore
from irbc.release import explorer_rows

# a span decodes the row groups at its edges again, so spans are long: a worker gets one more span per SPAN_DOCS
# documents, up to SPANS_PER_WORKER (so that one slow span does not hold the rest)
SPANS_PER_WORKER = 4
SPAN_DOCS = 2000
MIN_PER_SPAN = 32  # fewer documents than this per span are rendered in the driver


@dataclass
class Job:
    """What every span needs: where to write, the tables, the row plan and the page context."""

    out: Path
    parts: Path  # a private folder for the spans' parts of the search data
    tables: TableStore
    plan: explorer_rows.Plan
    context: dict[str, Any]
    prepare: Callable[[dict[str, Any]], dict[str, Any]]  # a document's rows -> the document the page shows
    render: Callable[[dict[str, Any], dict[str, Any]], str]  # document, context -> page
    summary: Callable[[dict[str, Any]], dict[str, Any]]  # document -> what the index says of it


_JOB: Job | None = None  # set before the workers fork: they inherit it


def compact_json(value: Any) -> str:
    """The explorer's JSON: keys sorted, compact separators, text as it is (not \\u-escaped)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def search_entries(doc_id: str, pairs: list[Any]) -> str:
    """A document's entries of the search data, ``[doc_id, id, text]`` each, comma-separated: the inside of
    the JSON list of them (one encoding per document; compact separators make it the entries' own
    encodings joined by commas)."""
    return compact_json([[doc_id, pid, text] for pid, text in pairs])[1:-1]


def render_span(job: Job, lo: int, hi: int) -> tuple[list[dict[str, Any]], Path | None]:
    """Write the pages of documents ``lo`` to ``hi``; (their summaries, the file of their search entries, or
    None if they have none)."""
    summaries = []
    part = job.parts / f"search-{lo:09d}.part"
    entries = 0
    with part.open("w", encoding="utf-8") as search:
        for rows in explorer_rows.documents(job.tables, job.plan, lo, hi):
            doc = job.prepare(rows)
            doc_id = doc["row"]["doc_id"]
            (job.out / f"{doc_id}.html").write_text(job.render(doc, job.context), encoding="utf-8")
            s = job.summary(doc)
            pairs = s.pop("search")
            if pairs:
                search.write(("," if entries else "") + search_entries(doc_id, pairs))
                entries += len(pairs)
            summaries.append(s)
    return summaries, part if entries else None


def _forked(span: tuple[int, int]) -> tuple[list[dict[str, Any]], Path | None]:
    assert _JOB is not None
    return render_span(_JOB, *span)


def spans(n: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous spans of the n documents: one if a single process renders them, else a few per worker."""
    per = max(1, min(SPANS_PER_WORKER, n // (max(workers, 1) * SPAN_DOCS)))
    k = 1 if workers <= 1 else max(1, min(workers * per, n // MIN_PER_SPAN))
    cuts = [round(i * n / k) for i in range(k + 1)]
    return [(a, b) for a, b in pairwise(cuts) if a < b]


def _results(job: Job, todo: list[tuple[int, int]], workers: int) -> Iterator[Any]:
    global _JOB
    methods = multiprocessing.get_all_start_methods()
    if workers <= 1 or len(todo) <= 1 or "fork" not in methods:
        for lo, hi in todo:
            yield render_span(job, lo, hi)
        return
    _JOB = job
    trim_memory()  # what this process freed is not copied into the workers
    pool = multiprocessing.get_context("fork").Pool(min(workers, len(todo)))
    try:
        yield from pool.imap(_forked, todo)
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    finally:
        _JOB = None
    # every span is in: close and join. Leaving a ``with`` block terminates the pool instead, and a worker
    # killed while it holds the task queue's lock leaves the other one blocked on it: join then waits forever
    # (seen in a 2-worker build of 200 documents)
    pool.close()
    pool.join()


def render_pages(job_args: dict[str, Any], search: Any, workers: int) -> list[dict[str, Any]]:
    """Render every document's page (``job_args``: Job's fields but ``parts``), writing the search entries
    into the open file ``search`` in document order; the summaries, in document order."""
    docs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="irbc-explorer-") as parts:
        job = Job(parts=Path(parts), **job_args)
        sep = ""
        for summaries, part in _results(job, spans(len(job.plan.doc_ids), workers), workers):
            docs += summaries
            if part is not None:
                search.write(sep)
                with part.open(encoding="utf-8") as f:
                    shutil.copyfileobj(f, search)
                sep = ","
    return docs
