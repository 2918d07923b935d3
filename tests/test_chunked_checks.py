"""`irbc validate` turns a release into record dicts a chunk of documents at a time: the merged checks must be
the checks of the whole release, on a valid release and on damaged ones, whatever the chunk size."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import run_cli
from irbc.core.tables import TableStore
from irbc.gate import records as V
from irbc.gate import release as G


def _tables(release: Path) -> dict[str, pa.Table]:
    return G.read_release_arrow(release)


def _summary(release: Path) -> dict:
    return json.loads((release / "build_summary.json").read_text(encoding="utf-8"))["summary"]


def _whole(tables: dict[str, pa.Table], summary: dict) -> list[dict]:
    """The reference: every record of the release as dicts at once."""
    return [asdict(c) for c in V.record_checks({t: x.to_pylist() for t, x in tables.items()}, summary)]


def _chunked(tables: dict[str, pa.Table], summary: dict, size: int, monkeypatch: pytest.MonkeyPatch) -> list:
    monkeypatch.setattr(V, "VALIDATE_CHUNK_DOCS", size)
    checks = V.chunked_record_checks(TableStore(dict(tables)), summary)
    return sorted((asdict(c) for c in checks), key=lambda c: (c["kind"], c["table"], c["name"]))


def _same(tables: dict[str, pa.Table], summary: dict, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    whole = sorted(_whole(tables, summary), key=lambda c: (c["kind"], c["table"], c["name"]))
    for size in (1, 2, 3, 256):
        assert _chunked(tables, summary, size, monkeypatch) == whole, f"chunks of {size} documents"
    return whole


def _set(tbl: pa.Table, row: int, col: str, value: object) -> pa.Table:
    rows = tbl.to_pylist()
    rows[row][col] = value
    return pa.Table.from_pylist(rows, schema=tbl.schema)


def test_valid_release_same_checks(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checks = _same(_tables(release), _summary(release), monkeypatch)
    assert checks and all(c["passed"] for c in checks)
    assert {c["kind"] for c in checks} == {"jsonschema", "integrity"}


def test_damage_found_in_any_chunk(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tables, summary = _tables(release), _summary(release)
    last = tables["documents"]["doc_id"][-1].as_py()
    paras = tables["paragraphs"]
    i = paras["doc_id"].to_pylist().index(last)  # a paragraph of the last document (the last chunk)
    tables["paragraphs"] = _set(paras, i, "text", "not the text at these offsets")
    mentions = tables["concept_mentions"]
    tables["concept_mentions"] = _set(mentions, 0, "doc_id", "no_such_document")  # a row of no document
    summary = {"documents": summary["documents"] + [{**summary["documents"][0], "doc_id": "ghost_doc"}]}
    checks = _same(tables, summary, monkeypatch)
    failed = {(c["table"], c["name"]) for c in checks if not c["passed"]}
    assert ("paragraphs", "text == documents.text[start:end]") in failed
    assert ("documents", "row counts per document match the build summary") in failed
    assert any(t == "concept_mentions" and "doc_id references documents" in n for t, n in failed)


def test_rows_out_of_document_order(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table whose rows are not in document order is regrouped, not misread as missing rows."""
    tables = _tables(release)
    tables["sections"] = tables["sections"].take(list(range(tables["sections"].num_rows))[::-1])
    checks = _same(tables, _summary(release), monkeypatch)
    assert all(c["passed"] for c in checks)


def test_release_validation_uses_chunks(release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """validate_release goes through the chunked path (and never turns a whole document table into dicts)."""
    seen: list[int] = []
    real = V.record_checks

    def spy(tables: dict, summary: object, only: tuple = V.TABLES, timings: object = None) -> list:
        seen.append(len(tables["documents"]))
        return real(tables, summary, only, timings)  # type: ignore[arg-type]

    monkeypatch.setattr(V, "record_checks", spy)
    monkeypatch.setattr(V, "VALIDATE_CHUNK_DOCS", 2)
    assert G.validate_release(release).passed
    assert seen == [2, 2, 1]


def test_damaged_data_page_named(release_copy: Path) -> None:
    """A table file whose footer reads but whose data does not: one line naming the file, exit 1, no traceback
    (the checks read the files a piece at a time, so the damage is only met mid-way)."""
    path = release_copy / "data" / "paragraphs" / "train-00000-of-00001.parquet"
    meta = pq.ParquetFile(path).metadata.row_group(0).column(0)
    data = bytearray(path.read_bytes())
    start = meta.data_page_offset + 16  # inside the first data page's compressed bytes
    data[start : start + 64] = bytes(64)
    path.write_bytes(bytes(data))
    proc = run_cli("validate", str(release_copy))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{path}: unreadable Parquet" in proc.stderr, proc.stderr


def test_validate_workers_same_report(release: Path) -> None:
    """`irbc validate --workers 2` runs the suites on two processes and reports exactly what one process does."""
    one = G.validate_release(release, workers=1).to_json()
    two = G.validate_release(release, workers=2).to_json()
    assert one == two and one["passed"]
    proc = run_cli("validate", "--workers", "2", str(release))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{one['n_checks']} checks, 0 failed" in proc.stdout
