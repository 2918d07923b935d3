"""Write-then-read round trips through the real clients, and byte-identical rebuilds."""

from __future__ import annotations

import filecmp
import os

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import CORPUS, run_cli, table
from irbc.core.arrow import arrow_schema
from irbc.core.schema import TABLES


@pytest.mark.parametrize("name", TABLES)
def test_pyarrow_reads_the_declared_schema(release, name):
    path = release / "data" / name / "train-00000-of-00001.parquet"
    t = pq.read_table(path)
    assert t.schema.equals(arrow_schema(name), check_metadata=False)
    assert "large_string" not in str(t.schema)
    assert t.num_rows > 0
    # rows survive a write-read cycle unchanged
    from irbc.core.tables import write_parquet

    rows = t.to_pylist()
    out = path.parent / "copy.parquet"
    try:
        write_parquet(rows, name, out)
        assert pq.read_table(out).to_pylist() == rows
    finally:
        out.unlink(missing_ok=True)


@pytest.mark.parametrize("name", TABLES)
def test_pandas_duckdb_polars_agree_on_row_counts(release, name):
    import duckdb
    import polars as pl

    path = release / "data" / name / "train-00000-of-00001.parquet"
    n = pq.ParquetFile(path).metadata.num_rows
    assert len(pd.read_parquet(path)) == n
    assert duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()[0][0] == n
    assert pl.read_parquet(path).height == n


def test_datasets_loads_a_single_parquet_file_offline(release, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    path = release / "data" / "stances" / "train-00000-of-00001.parquet"
    ds = datasets.load_dataset(
        "parquet", data_files={"train": str(path)}, split="train", cache_dir=str(release.parent / "hf-cache")
    )
    assert ds.num_rows == len(table(release, "stances"))
    assert (
        set(ds[0]["evidence"][0]) == {"quote", "start", "end", "paragraph_id", "note_id", "sentence_ids"}
        if ds[0]["evidence"]
        else True
    )


def test_two_builds_are_byte_identical(release, tmp_path):
    other = tmp_path / "again"
    run_cli("build", "--corpus", str(CORPUS), "--out", str(other), "--quiet", check=True)
    a = sorted(p.relative_to(release) for p in release.rglob("*") if p.is_file())
    b = sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
    assert a == b
    for rel in a:
        assert filecmp.cmp(release / rel, other / rel, shallow=False), f"{rel} differs between two builds"


def test_release_has_no_stray_temporary_folders(release):
    siblings = [p.name for p in release.parent.iterdir()]
    assert not [s for s in siblings if "-tmp-" in s or "-old-" in s]
    assert oct(os.stat(release).st_mode)[-3:] == "755"
