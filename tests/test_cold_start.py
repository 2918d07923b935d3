"""Issue 18 (fixed start-up cost): the shortcuts that make a small build quicker give the same checks and the same
release, and a failing gate still leaves nothing behind."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from irbc.core.tables import TableStore
from irbc.gate import expectations, gx_frames


def _damaged(release: Path, dst: Path) -> Path:
    """A copy of the release's data with faults that fail several great-expectations checks: a duplicate key, a
    span ending before it starts, a label outside its vocabulary, a noise string, a span beyond its text."""
    shutil.copytree(release / "data", dst)

    def edit(t: str, fn: Any) -> None:
        path = dst / t / "train-00000-of-00001.parquet"
        tbl = pq.read_table(path)
        rows = tbl.to_pylist()
        fn(rows)
        pq.write_table(pa.Table.from_pylist(rows, schema=tbl.schema), path)

    def mentions(rows: list[dict[str, Any]]) -> None:
        rows[3]["mention_id"] = rows[2]["mention_id"]
        rows[5]["end"] = rows[5]["start"] - 1
        rows[7]["annotator"] = "nobody_v9"

    def documents(rows: list[dict[str, Any]]) -> None:
        rows[0]["text"] += "\nLeave a Reply\n"
        rows[1]["clean_chars"] = 0

    def paragraphs(rows: list[dict[str, Any]]) -> None:
        rows[2]["end"] = 10**7

    edit("concept_mentions", mentions)
    edit("documents", documents)
    edit("paragraphs", paragraphs)
    return dst


def _in_memory(data: Path) -> TableStore:
    """The tables of a data/ folder held in memory, where a piece is any row range (on disk a piece is whole row
    groups, and the 5-document release has one per table)."""
    from irbc.core.schema import TABLES

    store = TableStore({t: TableStore(folder=data).read(t) for t in TABLES})
    assert len(store.slices("concept_mentions", 30_000)) > 3
    return store


def _probes(release: Path) -> dict[str, str]:
    probes: dict[str, str] = json.loads((release / "build_config.json").read_text())["noise_probes"]
    return probes


@pytest.mark.parametrize("pieces", ["whole", "sliced"])
def test_boolean_first_pass_gives_the_summary_checks(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pieces: str
) -> None:
    """A suite run first with BOOLEAN_ONLY (then again with SUMMARY only if something failed) gives exactly the
    checks of running it with SUMMARY: names, counts and examples, passing and failing, whole tables and pieces."""
    if pieces == "sliced":
        # several pieces per table (row ranges: the tables are held in memory), run on forked processes
        monkeypatch.setattr(expectations, "GX_SLICE_BYTES", 30_000)
    for data in (release / "data", _damaged(release, tmp_path / "damaged")):
        store = TableStore(folder=data) if pieces == "whole" else _in_memory(data)
        got = {}
        for first in ("BOOLEAN_ONLY", None):
            monkeypatch.setattr(expectations, "GX_FIRST_PASS", first)
            got[first] = expectations.gx_checks(store, _probes(release), 1)
        assert got["BOOLEAN_ONLY"] == got[None]
        failing = [c for c in got[None] if not c.passed]
        assert bool(failing) == (data != release / "data")
        if failing:  # the failing checks keep their counts and examples
            assert all(c.failed > 0 for c in failing)
            assert any(c.examples for c in failing)
            assert {c.table for c in failing} >= {"concept_mentions", "documents", "paragraphs"}


def test_pieces_read_only_the_columns_their_expectations_name(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A suite's pieces are read as the columns its expectations name (doc_id too where ``_doc_len`` is made from
    it): the checks, passing and failing, with their counts and examples, are those of reading every column."""
    tables = TableStore(folder=release / "data")
    specs = expectations._suite_specs("paragraphs", tables, [])
    cols = gx_frames.frame_columns(tables, "paragraphs", specs)
    assert "text" not in cols and {"doc_id", "start", "end", "kind", "heading_path"} <= set(cols)
    pair = [("expect_column_pair_values_a_to_be_greater_than_b", {"column_A": "_doc_len", "column_B": "end"})]
    assert gx_frames.frame_columns(tables, "paragraphs", pair) == ["doc_id", "end"]  # the table's order
    # an expectation that names no column (the row count) still gets a frame with the table's rows
    row_count = [("expect_table_row_count_to_be_between", {"min_value": 1})]
    assert gx_frames.frame_columns(tables, "concepts", row_count) == tables.schema("concepts").names[:1]
    # any other keyword argument, or an expectation about the columns themselves: every column is read
    rows = [("expect_column_values_to_be_in_set", {"column": "kind", "row_condition": "start>0"})]
    assert gx_frames.frame_columns(tables, "paragraphs", rows) == tables.schema("paragraphs").names
    cols_set = [("expect_table_columns_to_match_set", {"column_set": ["doc_id"]})]
    assert gx_frames.frame_columns(tables, "paragraphs", cols_set) == tables.schema("paragraphs").names
    monkeypatch.setattr(expectations, "GX_SLICE_BYTES", 30_000)  # several pieces per table
    every = tables.schema
    for data in (release / "data", _damaged(release, tmp_path / "damaged")):
        store = _in_memory(data)
        narrow = expectations.gx_checks(store, _probes(release), 1)
        with monkeypatch.context() as m:
            m.setattr(expectations, "frame_columns", lambda tables, t, specs: every(t).names)
            wide = expectations.gx_checks(store, _probes(release), 1)
        assert narrow == wide
        assert any(not c.passed for c in narrow) == (data != release / "data")


def test_capped_pieces_stay_under_their_size_unless_one_row_group_is_over(
    release: Path, tmp_path: Path
) -> None:
    """``slices(cap=True)`` cuts a table's row groups, in order and each once, into pieces that hold as many as
    fit in ``max_bytes`` (one row group alone when it is over); uncapped pieces grow until they reach it."""
    data = TableStore(folder=release / "data").read("concept_mentions")
    path = tmp_path / "data" / "concept_mentions" / "train-00000-of-00001.parquet"
    path.parent.mkdir(parents=True)
    with pq.ParquetWriter(path, data.schema) as w:  # row groups of uneven sizes
        off = 0
        for n in (40, 3, 200, 17, 90, 5, 150, 60, 1, 80):
            w.write_table(data.slice(off, n))
            off += n
    store = TableStore(folder=tmp_path / "data")
    meta = pq.ParquetFile(path).metadata
    size = [meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)]
    sizes = (1, min(size), sorted(size)[5], size[0] + size[1], max(size), sum(size) // 3, sum(size) + 1)
    for max_bytes in sizes:
        for cap in (False, True):
            plan = store.slices("concept_mentions", max_bytes, cap=cap)
            assert [i for piece in plan for i in piece] == list(range(len(size)))
            sums = [sum(size[i] for i in piece) for piece in plan]
            for k, piece in enumerate(plan):
                if cap:
                    assert sums[k] <= max_bytes or len(piece) == 1
                    if k + 1 < len(plan):  # the next row group did not fit
                        assert sums[k] + size[plan[k + 1][0]] > max_bytes
                elif k + 1 < len(plan):
                    assert sums[k] >= max_bytes and sums[k] - size[piece[-1]] < max_bytes


# ------------------------------------------------------------------------------------------ writing during the gate
def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _log_exporters(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Every exporter appends '<name> start' and '<name> end' to ``log`` (from a forked process too)."""
    import dataclasses
    import functools

    from irbc.release import exporters

    def note(line: str) -> None:
        with log.open("a", encoding="utf-8") as f:
            f.write(line + "\n")

    for e in exporters.registered_exporters():

        def write(release: Path, ctx: Any, _e: Any = e) -> None:
            note(f"{_e.name} on {os.getpid()}")
            note(f"{_e.name} start")
            _e.write(release, ctx)
            note(f"{_e.name} end")

        functools.update_wrapper(write, e.write)  # keeps __module__: the registry's order is by module
        monkeypatch.setitem(exporters._REGISTRY, e.name, dataclasses.replace(e, write=write))


@pytest.mark.parametrize("helped", [False, True], ids=["forked-plots", "export-helper"])
def test_report_free_exporters_run_while_the_gate_runs_and_the_release_is_the_same(
    release: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helped: bool
) -> None:
    """The contract of a single-process build: the gate process is sent its request before any file is written;
    every report-free exporter (the plots on another process: forked then, or the ExportHelper forked at start
    and warmed up) starts before the gate's checks are read back; every other exporter starts after, in this
    process. The release is byte for byte the one the CLI built."""
    from conftest import CORPUS
    from irbc.gate.expectations import GateProcess
    from irbc.release.exporters import ExportHelper, registered_exporters, report_free_names
    from irbc.run.driver import build_release
    from irbc.run.options import BuildOptions

    log = tmp_path / "log"
    _log_exporters(monkeypatch, log)
    submit, answer = GateProcess.submit, GateProcess.gx_checks

    def logged_submit(self: Any, *args: Any) -> None:
        submit(self, *args)
        log.open("a").write(f"submitted {self._pending is not None}\n")

    def logged_answer(self: Any, *args: Any) -> Any:
        log.open("a").write("waiting for the gate\n")
        checks = answer(self, *args)
        log.open("a").write("gate answered\n")
        return checks

    monkeypatch.setattr(GateProcess, "submit", logged_submit)
    monkeypatch.setattr(GateProcess, "gx_checks", logged_answer)
    helper = ExportHelper() if helped else None
    _, report, out = build_release(BuildOptions(corpus=CORPUS, out=tmp_path / "out"), helper=helper)
    assert report.passed
    events = [line for line in log.read_text().splitlines() if " on " not in line]
    ran_on = dict(line.split(" on ") for line in log.read_text().splitlines() if " on " in line)
    assert {n for n, pid in ran_on.items() if pid != str(os.getpid())} == {"plots_v1"}
    if helper is not None:
        assert ran_on["plots_v1"] == str(helper._proc.pid)
        assert helper._conn is None  # closed by build_release
    at = {line: i for i, line in enumerate(events)}
    assert events[0] == "submitted True"  # the suites were running before the first file was written
    names = [e.name for e in registered_exporters()]
    free = report_free_names()
    assert "views_v1" in free and free < set(names)
    for name in names:
        assert at[f"{name} end"] > at[f"{name} start"]
        if name in free:
            assert at[f"{name} start"] < at["gate answered"], name
        else:
            assert at[f"{name} start"] > at["gate answered"], name
    # the foreground report-free exporters were all written before the build waited for the gate
    assert max(at[f"{n} end"] for n in free if n != "plots_v1") < at["waiting for the gate"]
    assert _files(out) == _files(release)
    import multiprocessing

    assert not multiprocessing.active_children()  # the gate and the plots' process are gone


def test_one_process_exports_are_the_bytes_of_forked_ones(release: Path, tmp_path: Path) -> None:
    """finalize with every exporter in this process (no forks, the gate's report in hand before the first file)
    writes the same bytes as the build, whose report-free files were written while its gate ran and whose
    plots were drawn on a forked process."""
    from conftest import CORPUS
    from irbc.gate.release import validate_tables
    from irbc.release.exporters import finalize
    from irbc.run.driver import collect
    from irbc.run.options import BuildOptions

    folder = tmp_path / "rel"
    result = collect(BuildOptions(corpus=CORPUS, out=tmp_path / "unused"), sink=folder / "data")
    report = validate_tables(
        result.tables, result.summary, result.config["noise_probes"], prechecked=result.checks
    )
    assert report.passed
    finalize(folder, result, report, forks=False)
    assert _files(folder) == _files(release)


@pytest.mark.parametrize("helped", [False, True], ids=["forked-plots", "export-helper"])
def test_a_failing_gate_leaves_nothing_though_files_were_written_meanwhile(
    corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helped: bool
) -> None:
    """A check fails after the report-free files were written and while the plots are being drawn on their
    process: the build refuses, no exporter that needs the report ran, the staging folder is gone and no
    process is left (the plots' process is killed before the folder is removed)."""
    import multiprocessing

    from irbc.core.errors import ValidationFailed
    from irbc.release.exporters import ExportHelper, report_free_names
    from irbc.run.driver import build_release
    from irbc.run.options import BuildOptions

    rules = corpus_copy / "rules.yaml"  # a noise probe every document's text matches
    rules.write_text(
        rules.read_text().replace("probe: 'Leave a Reply|", "probe: 'soft balancing|Leave a Reply|", 1)
    )
    log = tmp_path / "log"
    _log_exporters(monkeypatch, log)
    out = tmp_path / "builds" / "out"
    with pytest.raises(ValidationFailed, match="expect_column_values_to_not_match_regex_list"):
        build_release(BuildOptions(corpus=corpus_copy, out=out), helper=ExportHelper() if helped else None)
    ran = {line.split()[0] for line in log.read_text().splitlines()}
    assert "views_v1" in ran and ran <= report_free_names()
    assert list(out.parent.iterdir()) == []  # no release, no staging folder
    assert not multiprocessing.active_children()


def test_closing_the_gate_while_it_runs_ends_it(release: Path) -> None:
    """A build that fails while its request is being served does not wait for the suites: the gate process
    (and its process group) is ended, and asking it afterwards runs the suites here, with the same checks."""
    from irbc.gate.expectations import GateProcess

    tables = TableStore(folder=release / "data")
    gate = GateProcess()
    gate.submit(tables, _probes(release))
    proc = gate._proc
    gate.close()
    assert not proc.is_alive() and proc.exitcode != 0  # killed, not finished
    checks = gate.gx_checks(tables, _probes(release))
    assert checks == expectations.gx_checks(tables, _probes(release))


def test_the_cli_forks_its_gate_first_and_a_refused_build_leaves_no_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A single-process `irbc build` forks the gate before the build's modules are imported; a build refused
    before any work (an unsafe --out) ends it at once. Other commands and builds with workers fork none."""
    import multiprocessing

    from conftest import CORPUS
    from irbc import cli
    from irbc.gate.expectations import GateProcess

    made: list[GateProcess] = []
    init = GateProcess.__init__

    def counted(self: GateProcess) -> None:
        init(self)
        made.append(self)

    monkeypatch.setattr(GateProcess, "__init__", counted)
    monkeypatch.setattr(cli.signal, "signal", lambda *args: None)  # keep pytest's SIGTERM handling
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "keep.txt").write_text("a user's file")
    assert cli.main(["build", "--corpus", str(CORPUS), "--out", str(mine), "--quiet"]) == 1
    assert len(made) == 1 and made[0]._conn is None  # forked, then closed by the refused build
    assert not multiprocessing.active_children()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]
    assert cli.main(["build", "--corpus", str(CORPUS), "--out", str(mine), "--workers", "2", "--quiet"]) == 1
    assert len(made) == 1


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def _ended(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the process tree from /proc")
def test_a_killed_build_leaves_no_gate_or_helper_behind(tmp_path: Path) -> None:
    """SIGKILL the build once it has forked its gate and export helper: both see their pipe end and exit, rather
    than wait for a request forever (each had kept a copy of the build's end of its own pipe)."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import CORPUS, ROOT

    proc = subprocess.Popen(
        [sys.executable, "-m", "irbc.cli", "build", "--corpus", str(CORPUS), "--out", str(tmp_path / "out")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while len(_children(proc.pid)) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.01)
    kids = _children(proc.pid)
    assert len(kids) >= 2, "the build did not fork its gate and helper"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 120  # they may first finish importing great-expectations and matplotlib
    while not all(_ended(k) for k in kids) and time.time() < deadline:
        time.sleep(0.05)
    assert all(_ended(k) for k in kids), "a gate or helper process outlived the killed build"
