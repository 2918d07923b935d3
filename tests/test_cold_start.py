"""Issue 18 (fixed start-up cost): the shortcuts that make a small build quicker give the same checks and the same
release, and a failing gate still leaves nothing behind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from irbc.core.tables import TableStore
from irbc.gate import expectations


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
        # several pieces per table, run on forked processes
        monkeypatch.setattr(expectations, "GX_SLICE_BYTES", 30_000)
    for data in (release / "data", _damaged(release, tmp_path / "damaged")):
        got = {}
        for first in ("BOOLEAN_ONLY", None):
            monkeypatch.setattr(expectations, "GX_FIRST_PASS", first)
            got[first] = expectations.gx_checks(TableStore(folder=data), _probes(release), 1)
        assert got["BOOLEAN_ONLY"] == got[None]
        failing = [c for c in got[None] if not c.passed]
        assert bool(failing) == (data != release / "data")
        if failing:  # the failing checks keep their counts and examples
            assert all(c.failed > 0 for c in failing)
            assert any(c.examples for c in failing)
            assert {c.table for c in failing} >= {"concept_mentions", "documents", "paragraphs"}
