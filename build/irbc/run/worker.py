"""What a worker does with a chunk of documents: read, process, annotate, check and convert each document to
Arrow. Errors are returned with the document, never raised, so the driver decides in manifest order."""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from irbc.annotators.citation_scores import SAMPLE, load_sample, score_document
from irbc.annotators.curated import CURATED
from irbc.annotators.lexicon import LEXICON
from irbc.core.arrow import to_arrow
from irbc.core.errors import InputError
from irbc.core.io import sha256_file
from irbc.core.records import to_row
from irbc.core.schema import DOC_TABLES
from irbc.gate.columns import row_columns
from irbc.gate.records import record_checks
from irbc.gate.report import Check
from irbc.release.standoff import apply_standoff
from irbc.run.context import BuildContext
from irbc.stages.annotate import annotate_document
from irbc.stages.document import DocResult, process_document
from irbc.stages.read import read_raw
from irbc.stages.works import WorkCite, work_citations

Task = tuple[dict[str, Any], str]  # (source entry, raw file path)


@dataclass
class DocOut:
    source: dict[str, Any]
    sha: str | None = None
    error: InputError | None = None
    fatal: bool = False  # an error in a curated annotation file: never skipped
    inputs: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] | None = None
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    reviewed: list[dict[str, Any]] | None = None  # mention rows of a reviewed document (for tagger scores)
    work_cites: list[WorkCite] = field(default_factory=list)  # its citations as the works need them
    citation_scores: tuple[Any, ...] | None = None  # counts against the hand-checked sample


@dataclass
class ChunkOut:
    docs: list[DocOut]
    tables: dict[str, pa.Table]
    checks: list[Check]
    seconds: dict[str, float]


def read_and_process(ctx: BuildContext, s: dict[str, Any], path: str) -> tuple[DocResult, str]:
    raw, sha = read_raw(Path(path))
    if s.get("raw_sha256") and s["raw_sha256"] != sha:
        raise InputError(
            path, None, f"SHA-256 {sha[:12]}… differs from sources.yaml ({s['raw_sha256'][:12]}…)"
        )
    return process_document(s, raw, ctx.cfg.rules, ctx.cfg.profile(s["site"]), sha), sha


def _summary(res: DocResult, rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    d = res.document
    return {
        "doc_id": d.doc_id,
        "sections": len(res.sections),
        "paragraphs": len(res.paragraphs),
        "notes": len(res.notes),
        "callouts_linked": sum(len(n.callouts) for n in res.notes),
        # one callout can link several notes ("(Walt, 2005, 2006)"): distinct in-text spans
        "callouts_distinct": len({(c.start, c.end) for n in res.notes for c in n.callouts}),
        "citations": len(res.citations),
        "notes_without_callout": sum(1 for n in res.notes if not n.callouts),
        "callouts_without_note": sum(1 for x in res.diagnostics if x.code == "callout_without_note"),
        "chars_raw": d.raw_chars,
        "chars_kept": d.clean_chars,
        "chars_removed": d.removed_chars,
        "mentions_lexicon": sum(1 for m in rows.get("concept_mentions", []) if m["annotator"] == LEXICON),
        "stances": sum(
            1 for s in rows.get("stances", []) if s["annotator"] == CURATED
        ),  # not the second pass
    }


def _citation_scores(
    ctx: BuildContext, res: DocResult, out: DocOut, citations: list[dict[str, Any]]
) -> tuple[Any, ...] | None:
    """This document's citations (full rows) scored against the hand-checked sample (if it covers them)."""
    path = ctx.cfg.root / SAMPLE
    notes = {n.note_id: (n.start, n.text or "") for n in res.notes}
    got = score_document(load_sample(path), res.document.doc_id, citations, notes)
    if got is not None:
        out.inputs[f"corpus/{SAMPLE}"] = sha256_file(path)
    return got


def build_document(
    ctx: BuildContext, s: dict[str, Any], path: str, rows: dict[str, list[dict[str, Any]]]
) -> DocOut:
    """The per-document stage for one source: appends its rows to ``rows``; errors are returned, not raised."""
    out = DocOut(s)
    try:
        res, out.sha = read_and_process(ctx, s, path)
    except InputError as err:
        out.error = err
        return out
    try:
        ann = annotate_document(ctx.annotators, res)
    except InputError as err:
        out.error, out.fatal = err, True
        return out
    out.inputs, out.reviewed = ann.inputs, ann.reviewed
    rows["documents"].append(to_row(res.document))
    for table, records in (
        ("sections", res.sections),
        ("paragraphs", res.paragraphs),
        ("notes", res.notes),
        ("removed", res.removed),
        ("sentences", res.sentences),
    ):
        rows[table].extend(map(to_row, records))
    citations = list(map(to_row, res.citations))  # full rows: stand-off is applied to the chunk's rows later
    rows["citations"].extend(citations)
    for table, ann_rows in ann.rows.items():
        rows[table].extend(ann_rows)
    out.work_cites = work_citations(citations)
    out.citation_scores = _citation_scores(ctx, res, out, citations)
    out.diagnostics = [to_row(x) for x in res.diagnostics]
    out.summary = _summary(res, ann.rows)
    return out


_WORKER_CTX: Any = None

# While a chunk is built, the collector's youngest generation is collected every 50,000 net allocations (not 700)
# and the older ones almost never: a chunk makes hundreds of thousands of short-lived rows, and the default
# thresholds set off collections that walk them again and again (about 1.1 ms of 18 ms per document). Cycles
# among young objects are still collected; the previous thresholds are back when the chunk is done.
CHUNK_GC_THRESHOLD = (50_000, 50, 50)


def init_worker(ctx: Any) -> None:
    global _WORKER_CTX
    _WORKER_CTX = ctx


def run_chunk(tasks: list[Task]) -> ChunkOut:
    """Build a chunk of documents into Arrow tables, with their record and integrity checks (in a worker)."""
    before = gc.get_threshold()
    gc.set_threshold(*CHUNK_GC_THRESHOLD)
    try:
        return _run_chunk(tasks)
    finally:
        gc.set_threshold(*before)


def _run_chunk(tasks: list[Task]) -> ChunkOut:
    ctx: BuildContext = _WORKER_CTX
    seconds: dict[str, float] = {}
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in DOC_TABLES}
    docs = [build_document(ctx, s, path, rows) for s, path in tasks]
    if ctx.withhold is not None:
        apply_standoff(rows, ctx.withhold)
    seconds["documents"] = time.perf_counter() - t0
    built = {d.source["doc_id"] for d in docs if d.summary is not None}
    summary = {"documents": [d.summary for d in docs if d.summary is not None]}
    every = {**rows, "concepts": ctx.concepts, "stance_targets": ctx.targets, "works": []}
    t0 = time.perf_counter()
    cols = {t: row_columns(rows[t], t) for t in DOC_TABLES}  # the checks' columns, then the Arrow arrays
    seconds["columns"] = time.perf_counter() - t0
    checks = record_checks(every, summary, DOC_TABLES, seconds, cols)
    t0 = time.perf_counter()
    tables = {t: to_arrow(rows[t], t, cols[t]) for t in DOC_TABLES}
    seconds["arrow"] = time.perf_counter() - t0
    seconds["records"] = float(sum(len(v) for v in rows.values()))
    seconds["cpu"] = time.process_time() - cpu0  # the worker's CPU; the other times are wall seconds
    assert built == {r["doc_id"] for r in rows["documents"]}
    return ChunkOut(docs, tables, checks, seconds)


def run_chunk_with(tasks: list[Task], ctx: Any) -> ChunkOut:
    init_worker(ctx)
    return run_chunk(tasks)
