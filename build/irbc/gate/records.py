"""Record checks: jsonschema on every record (fastjsonschema fast path, reference jsonschema for the wording),
then the registered integrity checks; a whole release is checked a chunk of documents at a time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import cache
from typing import Any

import irbc.gate.section_tree  # registers the section tree check
import irbc.gate.sentences  # noqa: F401  (these two imports register the sentence and section tree checks)
from irbc.core.schema import DOC_TABLES, TABLES, load_schema, validator
from irbc.core.tables import RowStream, TableStore
from irbc.gate import layer_checks  # noqa: F401  (registers the annotation-layer integrity checks)
from irbc.gate.columns import columnar_valid
from irbc.gate.integrity import integrity_checks
from irbc.gate.report import MAX_EXAMPLES, Check, guarded, merge_checks


@cache
def fast_validator(table: str) -> Any:
    """fastjsonschema compiled from the same schema file: the per-record fast path (~0.5M records/s).
    tests/test_schema.py proves it enforces every keyword the table schemas use."""
    import fastjsonschema

    return fastjsonschema.compile(load_schema(table))


def jsonschema_checks(
    tables: dict[str, list[dict[str, Any]]],
    only: tuple[str, ...] = TABLES,
    columns: dict[str, dict[str, tuple[Any, ...]] | None] | None = None,
) -> list[Check]:
    """Every record of every table (of ``only``) against its schema. A table is first checked column by column
    (``gate.columns``, ``columns``: its rows as columns if already made); if that does not show every row
    valid, its rows go through the compiled fast validator, and a row it rejects is re-validated with the
    reference ``jsonschema`` to report every error with its JSON pointer."""
    import fastjsonschema

    out = []
    for table in only:
        rows = tables.get(table)
        if rows is None:
            out.append(Check("table present", table, "jsonschema", False, 0, 1, [f"table {table} missing"]))
            continue
        fast = fast_validator(table)
        ref = validator(table)
        key = load_schema(table)["x-primary-key"]
        c = Check("every record valid against schema", table, "jsonschema", True, len(rows))
        if columnar_valid(rows, table, (columns or {}).get(table)):
            out.append(c)
            continue
        for i, row in enumerate(rows):
            try:
                fast(row)
                continue
            except fastjsonschema.JsonSchemaValueException:
                pass
            errors = list(ref.iter_errors(row)) or [None]
            for err in errors:
                c.failed += 1
                if len(c.examples) < MAX_EXAMPLES:
                    if err is None:  # the two validators disagree: report it rather than hide it
                        c.examples.append(f"row {row.get(key, i)!s}: rejected by fastjsonschema only")
                        continue
                    pointer = "/" + "/".join(str(p) for p in err.absolute_path)
                    c.examples.append(f"row {row.get(key, i)!s} {pointer}: {err.message[:160]}")
        c.passed = c.failed == 0
        out.append(c)
    return out


def record_checks(
    tables: dict[str, list[dict[str, Any]]],
    summary: dict[str, Any] | None,
    only: tuple[str, ...] = TABLES,
    timings: dict[str, float] | None = None,
    columns: dict[str, dict[str, tuple[Any, ...]] | None] | None = None,
) -> list[Check]:
    """The checks that run on record dicts: jsonschema on the tables of ``only`` (``columns``: the tables' rows
    as columns, if already made), then integrity (with the guard that turns a crash on malformed records into
    a failing check). ``timings`` receives seconds per kind of check."""
    timings = {} if timings is None else timings
    t0 = time.perf_counter()
    checks = jsonschema_checks(tables, only, columns)
    timings["jsonschema"] = time.perf_counter() - t0
    if all(t in tables for t in TABLES):
        t0 = time.perf_counter()
        checks += guarded("integrity", lambda: integrity_checks(tables, summary), checks)
        timings["integrity"] = time.perf_counter() - t0
    return checks


# documents whose rows chunked_record_checks turns into record dicts at a time
VALIDATE_CHUNK_DOCS = 256


def document_chunks(tables: TableStore, size: int | None = None) -> Iterator[dict[str, Any]]:
    """The document tables cut into chunks of ``size`` documents (in the documents table's order): one dict of
    Arrow tables per chunk, each holding the rows of that chunk's documents in their original order. Tables in
    document order (as every build writes them) are streamed a row group at a time; a table that is not is
    regrouped in memory. A row whose doc_id names no document goes with the first chunk, where its
    foreign-key check reports it."""
    import numpy as np
    import pyarrow.compute as pc

    size = size or VALIDATE_CHUNK_DOCS
    ids = tables.read("documents", ["doc_id"])["doc_id"].combine_chunks()
    n = max(1, -(-len(ids) // size))
    cut: dict[str, tuple[RowStream, Any]] = {}
    for t in DOC_TABLES:
        if "doc_id" in tables.schema(t).names:
            pos = pc.fill_null(pc.index_in(tables.read(t, ["doc_id"])["doc_id"], value_set=ids), 0)
            group = np.asarray(pos.to_numpy(), dtype=np.int64) // size
        else:  # malformed table: all rows in the first chunk (its jsonschema check fails)
            group = np.zeros(tables.num_rows(t), dtype=np.int64)
        if len(group) and (np.diff(group) < 0).any():  # not in document order: regroup, stably
            order = np.argsort(group, kind="stable")
            data = tables.read(t).take(order)
            rows, group = RowStream(data.schema, iter(data.to_batches())), group[order]
        else:
            rows = tables.rows(t)
        cut[t] = (rows, np.searchsorted(group, np.arange(n + 1)))
    for k in range(n):
        yield {t: rows.take(int(b[k + 1] - b[k])) for t, (rows, b) in cut.items()}


def chunked_record_checks(tables: TableStore, summary: dict[str, Any] | None) -> list[Check]:
    """``record_checks`` on a whole release, a chunk of documents at a time (as the build's workers run them),
    merged: only one chunk's rows are ever Python dicts, so a large release is checked in flat memory. The
    global tables are checked once here; their rows accompany every chunk."""
    glob = {t: tables[t].to_pylist() for t in TABLES if t not in DOC_TABLES}
    parts = [jsonschema_checks(glob, tuple(glob))]
    listed = [] if summary is None else list(summary.get("documents", []))
    known = set(tables.read("documents", ["doc_id"])["doc_id"].to_pylist())
    orphans = [x for x in listed if x.get("doc_id") not in known]  # summary entries of no document
    for k, chunk in enumerate(document_chunks(tables)):
        rows = {t: chunk[t].to_pylist() for t in DOC_TABLES}
        mine = None
        if summary is not None:  # this chunk's documents (the orphans go with the first)
            ids = {r["doc_id"] for r in rows["documents"]}
            mine = {"documents": [x for x in listed if x.get("doc_id") in ids] + (orphans if k == 0 else [])}
        parts.append(record_checks({**rows, **glob}, mine, DOC_TABLES))
    return merge_checks(parts)
