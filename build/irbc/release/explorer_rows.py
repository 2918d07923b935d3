"""The explorer's documents a span at a time: each document with its rows of every per-document table, read a
batch of rows at a time (``BATCH``, or ``DOC_BATCH`` documents with their texts), never a whole table or row group.

The build writes each table's rows in the documents table's order, a document's rows together; ``plan`` checks
that from the ``doc_id`` column alone (Arrow, not Python objects) and gives each document its row range in every
table, so that any contiguous span of documents can be read by itself (by a forked page worker too). A table whose
rows are in another order gets ``None``, and the explorer falls back to grouping whole tables."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from irbc.core.tables import TableStore, reading, table_path

# key in a document's dict -> (table, the columns the pages and the index read)
PER_DOC: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "sections": (
        "sections",
        ("section_id", "doc_id", "position", "heading", "level", "kind", "start", "end"),
    ),
    "paragraphs": ("paragraphs", ("paragraph_id", "section_id", "doc_id", "kind", "start", "end", "text")),
    "notes": (
        "notes",
        ("note_id", "doc_id", "section_id", "label", "kind", "text", "start", "end", "callouts"),
    ),
    "mentions": ("concept_mentions", ("mention_id", "doc_id", "start", "end", "concept_id", "annotator")),
    "stances": ("stances", None),
    "removed": ("removed", ("removal_id", "doc_id", "text", "reason", "action", "clean_offset")),
}
BATCH = 2048  # rows turned into Python objects at once (8,192 held ~140 MB more per page worker)
DOC_BATCH = 128  # documents at once: each carries its whole text


def _runs(ids: pa.ChunkedArray) -> tuple[list[str], list[int]]:
    """The doc_ids of the runs of equal values, in order, and the runs' start rows (with the end appended)."""
    n = len(ids)
    if n == 0:
        return [], [0]
    flat = ids.combine_chunks()
    change = pc.not_equal(flat.slice(1), flat.slice(0, n - 1))
    starts = [0, *(i + 1 for i in pc.indices_nonzero(change).to_pylist()), n]
    return flat.take(pa.array(starts[:-1])).to_pylist(), starts


@dataclass
class Plan:
    """The documents in order, and each table's first row of every document (row ``at[table][k]`` to
    ``at[table][k + 1]`` are document k's)."""

    doc_ids: list[str]
    at: dict[str, list[int]]


def plan(tables: TableStore) -> Plan | None:
    """Each document's row range in every per-document table, or None if a table's rows do not follow the
    documents table's order one document after another."""
    doc_ids = tables.read("documents", ["doc_id"])["doc_id"].to_pylist()
    pos = {d: k for k, d in enumerate(doc_ids)}
    if len(pos) != len(doc_ids):
        return None
    at: dict[str, list[int]] = {}
    for table, _ in PER_DOC.values():
        names, starts = _runs(tables.read(table, ["doc_id"])["doc_id"])
        ks = [pos.get(d, -1) for d in names]
        if any(k < 0 for k in ks) or any(a >= b for a, b in pairwise(ks)):
            return None
        first = [starts[-1]] * (len(doc_ids) + 1)
        for k, s in zip(ks, starts, strict=False):
            first[k] = s
        for k in range(len(doc_ids) - 1, -1, -1):  # a document without rows starts where the next one does
            first[k] = min(first[k], first[k + 1])
        at[table] = first
    return Plan(doc_ids, at)


def _pieces(
    tables: TableStore, table: str, columns: list[str] | None, a: int, b: int, size: int | None = None
) -> Iterator[pa.Table]:
    """Rows ``a`` to ``b`` of ``table``, at most ``size`` (default BATCH) at a time (decoded that many rows at a
    time from a folder)."""
    size = BATCH if size is None else size
    if tables.folder is None:
        data = tables.read(table, columns).slice(a, b - a)
        for off in range(0, data.num_rows, size):
            yield data.slice(off, size)
        return
    assert tables.folder is not None
    path = table_path(tables.folder, table)
    with reading(path):
        f = pq.ParquetFile(path)
        first = 0
        for g in range(f.metadata.num_row_groups):
            n = f.metadata.row_group(g).num_rows
            lo, hi = max(a, first), min(b, first + n)
            if lo < hi:  # a page worker never holds a whole row group of every table
                at = first
                for batch in f.iter_batches(batch_size=size, row_groups=[g], columns=columns):
                    x, y = max(lo, at), min(hi, at + batch.num_rows)
                    if x < y:
                        yield pa.Table.from_batches([batch.slice(x - at, y - x)])
                    at += batch.num_rows
                    if at >= hi:
                        break
            first += n
            if first >= b:
                return


class Cursor:
    """Rows of one table from a given row on, handed out as dicts ``n`` at a time."""

    def __init__(self, pieces: Iterator[pa.Table]) -> None:
        self._pieces = pieces
        self._rows: list[dict[str, Any]] = []
        self._at = 0

    def take(self, n: int) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while len(out) < n:
            if self._at == len(self._rows):
                self._rows, self._at = next(self._pieces).to_pylist(), 0
            k = min(n - len(out), len(self._rows) - self._at)
            out += self._rows[self._at : self._at + k]
            self._at += k
        return out


def documents(tables: TableStore, p: Plan, lo: int, hi: int) -> Iterator[dict[str, Any]]:
    """Documents ``lo`` to ``hi`` (in the documents table's order), each with its rows of every table."""
    cursors = {}
    for key, (table, cols) in PER_DOC.items():
        at = p.at[table]
        cursors[key] = Cursor(_pieces(tables, table, list(cols) if cols else None, at[lo], at[hi]))
    rows = Cursor(_pieces(tables, "documents", None, lo, hi, DOC_BATCH))
    for k in range(lo, hi):
        doc: dict[str, Any] = {}
        for key, (table, _) in PER_DOC.items():
            at = p.at[table]
            doc[key] = cursors[key].take(at[k + 1] - at[k])
        doc["row"] = rows.take(1)[0]
        yield doc
