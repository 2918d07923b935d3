"""The release writers read the tables a piece at a time and may render the explorer's pages on forked workers:
the files must be the bytes of the whole-table, single-process way. Checked on the 5-document release: pages
rendered in spans on two workers, pages from tables whose rows are not in document order (the fallback), the
documents read a row group at a time, and the card's figures summed over many small pieces."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from irbc.core.result import BuildResult
from irbc.core.schema import TABLES
from irbc.core.tables import TableStore
from irbc.release import explorer, explorer_pool, explorer_rows, stats
from irbc.release.exporters import ExportContext


def _result(tables: TableStore, workers: int = 1) -> BuildResult:
    return BuildResult(tables, {}, {"text_policy": "full"}, workers=workers)


def _pages(result: BuildResult, out: Path) -> dict[str, bytes]:
    out.mkdir(exist_ok=True)
    explorer.write_pages(out, ExportContext(result, None))
    return {p.name: p.read_bytes() for p in (out / "explorer").iterdir()}


def _shipped(release: Path, names: set[str]) -> dict[str, bytes]:
    return {n: (release / "explorer" / n).read_bytes() for n in names}


def test_pages_on_two_workers_are_the_bytes_of_one_process(release, tmp_path, monkeypatch):
    monkeypatch.setattr(explorer_pool, "MIN_PER_SPAN", 1)  # five documents: four spans on two workers
    monkeypatch.setattr(explorer_pool, "SPAN_DOCS", 1)
    tables = TableStore(folder=release / "data")
    assert explorer_pool.spans(5, 2) == [(0, 1), (1, 2), (2, 4), (4, 5)]
    assert explorer_pool.spans(5, 1) == [(0, 5)]
    serial = _pages(_result(tables, 1), tmp_path / "one")
    forked = _pages(_result(tables, 2), tmp_path / "two")
    assert serial == forked == _shipped(release, set(serial))
    assert {f"{d}.html" for d in tables.read("documents")["doc_id"].to_pylist()} <= set(serial)


def test_rows_out_of_document_order_fall_back_to_whole_tables(release, tmp_path):
    data = {t: TableStore(folder=release / "data").read(t) for t in TABLES}
    assert explorer_rows.plan(TableStore(dict(data))) is not None
    mentions = data["concept_mentions"]  # the last document's rows first, each document's rows in their order
    last = pc.equal(mentions["doc_id"], mentions["doc_id"][-1])
    data["concept_mentions"] = pa.concat_tables([mentions.filter(last), mentions.filter(pc.invert(last))])
    tables = TableStore(data)
    assert explorer_rows.plan(tables) is None
    pages = _pages(_result(tables, 2), tmp_path)
    assert pages == _shipped(release, set(pages))


def test_documents_read_a_row_group_at_a_time_equal_whole_tables(release, monkeypatch):
    monkeypatch.setattr(explorer_rows, "BATCH", 7)  # many pieces per document
    monkeypatch.setattr(explorer_rows, "DOC_BATCH", 2)  # and the documents' rows in pieces too
    tables = TableStore(folder=release / "data")
    plan = explorer_rows.plan(tables)
    assert plan is not None
    whole = list(explorer.documents(_result(tables)))
    for lo, hi in ((0, 5), (1, 4), (3, 5)):
        streamed = [explorer.prepare(d) for d in explorer_rows.documents(tables, plan, lo, hi)]
        assert streamed == whole[lo:hi]
    assert sum(len(d["mentions"]) for d in whole) == tables.num_rows("concept_mentions")


def test_figures_summed_over_small_pieces_equal_whole_table_counts(release, monkeypatch):
    data = {t: TableStore(folder=release / "data").read(t) for t in TABLES}
    monkeypatch.setattr(stats, "PIECE_BYTES", 4000)  # in memory: a few rows per piece
    tables = TableStore(data)
    assert len(tables.slices("concept_mentions", stats.PIECE_BYTES)) > 10
    st = stats._stats(_result(tables))
    removed = data["removed"].to_pylist()
    mentions = data["concept_mentions"].to_pylist()
    assert st["by_reason"] == Counter((r["action"], r["reason"]) for r in removed)
    chars: Counter[tuple[str, str]] = Counter()
    for r in removed:
        chars[(r["action"], r["reason"])] += r["raw_end"] - r["raw_start"]
    assert st["chars_by_reason"] == chars and st["actions"] == Counter(r["action"] for r in removed)
    assert st["mentions_by_annotator"] == Counter(m["annotator"] for m in mentions)
    curated = [m["concept_id"] for m in mentions if m["annotator"] == "curated_v1"]
    assert st["curated_by_concept"] == Counter(curated)
    for t in ("concept_mentions", "stances"):
        for a in set(data[t]["annotator"].to_pylist()):
            n = pc.sum(pc.equal(data[t]["annotator"], a)).as_py()
            assert st["layer_rows"][(t, a)] == n
