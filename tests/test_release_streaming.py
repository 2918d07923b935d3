"""The release writers read the tables a piece at a time and may render the explorer's pages on forked workers:
the files must be the bytes of the whole-table, single-process way. Checked on the 5-document release: pages
rendered in spans on two workers, pages from tables whose rows are not in document order (the fallback), the
documents read a row group at a time, and the card's figures summed over many small pieces."""

from __future__ import annotations

import json
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_freed_memory_is_returned_before_each_pool_forks(release, tmp_path, monkeypatch):
    """The explorer's page workers and the great-expectations pieces fork from a process that first hands back
    what it freed (``trim_memory``): a forked process that allocates into inherited free pages copies them. The
    pages are still the shipped bytes; trimming itself leaves data alone."""
    import multiprocessing.context

    import irbc.core.memory
    from irbc.gate import expectations

    log: list[str] = []
    trim = irbc.core.memory.trim_memory
    pool = multiprocessing.context.ForkContext.Pool

    def traced_trim() -> None:
        log.append("trim")
        trim()

    def traced_pool(self, *args, **kwargs):
        log.append("pool")
        return pool(self, *args, **kwargs)

    monkeypatch.setattr(irbc.core.memory, "trim_memory", traced_trim)  # the gate imports it when it runs
    monkeypatch.setattr(explorer_pool, "trim_memory", traced_trim)
    monkeypatch.setattr(multiprocessing.context.ForkContext, "Pool", traced_pool)
    monkeypatch.setattr(explorer_pool, "MIN_PER_SPAN", 1)
    monkeypatch.setattr(explorer_pool, "SPAN_DOCS", 1)
    tables = TableStore(folder=release / "data")
    pages = _pages(_result(tables, 2), tmp_path)
    assert pages == _shipped(release, set(pages))
    assert log == ["trim", "pool"]
    probes = json.loads((release / "build_config.json").read_text())["noise_probes"]
    expectations.gx_checks(tables, probes, 2)
    assert log == ["trim", "pool", "trim", "pool"]


def test_trim_memory_keeps_what_is_in_use():
    """Trimming hands back freed memory only: Arrow buffers and Python objects still in use are intact. On
    glibc it calls malloc_trim(0) (it is not a silent no-op there); where there is no glibc it does nothing."""
    import platform

    import irbc.core.memory
    from irbc.core.memory import _libc, trim_memory

    assert (_libc() is not None) == (platform.libc_ver()[0] == "glibc")
    calls: list[int] = []

    class FakeLibc:
        def malloc_trim(self, pad: int) -> int:
            calls.append(pad)
            return 1

    with pytest.MonkeyPatch.context() as m:
        m.setattr(irbc.core.memory, "_libc", lambda: FakeLibc())
        trim_memory()
        assert calls == [0]
        m.setattr(irbc.core.memory, "_libc", lambda: None)
        trim_memory()
        assert calls == [0]

    keep = pa.array(range(1_000_000), pa.int64())
    garbage = [pa.array(range(500_000), pa.int64()) for _ in range(4)]
    words = [str(i) * 10 for i in range(100_000)]
    del garbage
    trim_memory()
    assert pc.sum(keep).as_py() == sum(range(1_000_000))
    assert words[12345] == "12345" * 10


def test_views_written_a_piece_at_a_time_are_the_shipped_files(release, tmp_path, monkeypatch):
    """The views are written a piece at a time (``write_pieces``); with tiny pieces (a few rows each) the files
    are the shipped bytes, which the build wrote with other piece sizes."""
    from irbc.release import views

    monkeypatch.setattr(views, "PIECE_BYTES", 2000)
    monkeypatch.setattr(views, "BATCH_ROWS", 7)
    tables = TableStore(
        {t: TableStore(folder=release / "data").read(t) for t in TABLES}
    )  # in memory: row ranges
    assert len(list(views.CURATED_MENTIONS.pieces(tables))) > 5
    views.write_views(tmp_path, ExportContext(_result(tables), None))
    for v in views.VIEWS:
        assert (tmp_path / views.view_file(v)).read_bytes() == (release / views.view_file(v)).read_bytes(), (
            v.name
        )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 120), max_size=12), st.sampled_from([1, 7, 50, 1000]))
def test_a_table_written_in_pieces_is_the_bytes_of_it_written_whole(cuts, group):
    """``write_pieces`` over any cut of a table (empty pieces too) writes the bytes ``write_table`` writes for the
    whole table, in the same fixed-size row groups; a piece of another schema is refused, naming the table."""
    import tempfile

    import pyarrow.parquet as pq

    from irbc.core import tables as tables_module
    from irbc.core.arrow import arrow_schema

    schema = arrow_schema("removed")
    data = pa.Table.from_pylist(
        [
            {
                "removal_id": f"d{i // 30}-r{i}",
                "doc_id": f"d{i // 30}",
                "position": i,
                "raw_start": 3 * i,
                "raw_end": 3 * i + i % 5,
                "text": None if i % 9 == 0 else "ab\n" * (i % 4),
                "replacement": " " if i % 2 else "",
                "reason": ("share_counter", "image_alt", "paywall")[i % 3],
                "action": "removed",
                "clean_offset": i,
            }
            for i in range(120)
        ],
        schema=schema,
    )
    bounds = sorted({0, data.num_rows, *cuts})
    pieces = [data.slice(a, b - a) for a, b in pairwise(bounds)] + [data.slice(0, 0)]
    saved = dict(tables_module.ROW_GROUP_ROWS)
    tables_module.ROW_GROUP_ROWS["removed"] = group
    try:
        with tempfile.TemporaryDirectory() as d:
            whole, streamed = Path(d) / "whole.parquet", Path(d) / "streamed.parquet"
            # the first-written whole-table writer, kept here as the spec
            with pq.ParquetWriter(whole, schema, **tables_module.PARQUET_OPTIONS) as writer:
                tables_module._write_groups(writer, data, group)
            tables_module.write_pieces(iter(pieces), "removed", streamed)
            assert whole.read_bytes() == streamed.read_bytes()
            tables_module.write_table(data, "removed", Path(d) / "table.parquet")
            assert (Path(d) / "table.parquet").read_bytes() == whole.read_bytes()
            meta = pq.ParquetFile(streamed).metadata
            assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [
                min(group, data.num_rows - off) for off in range(0, data.num_rows, group)
            ]
            with pytest.raises(ValueError, match="table removed"):
                tables_module.write_pieces(
                    [data.drop_columns(["reason"])], "removed", Path(d) / "bad.parquet"
                )
    finally:
        tables_module.ROW_GROUP_ROWS.clear()
        tables_module.ROW_GROUP_ROWS.update(saved)
