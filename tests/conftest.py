"""Shared fixtures: a release built once per session through the real CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def run_cli(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, "-m", "irbc.cli", *args], capture_output=True, text=True, cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"irbc {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rel") / "release"
    run_cli("build", "--corpus", str(CORPUS), "--out", str(out), "--quiet", check=True)
    return out


@pytest.fixture()
def release_copy(release: Path, tmp_path: Path) -> Path:
    """A private copy of the session release that a test may damage."""
    dst = tmp_path / "release"
    shutil.copytree(release, dst)
    return dst


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A private copy of the corpus folder that a test may damage."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


def table(release: Path, name: str) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(release / "data" / name / "train-00000-of-00001.parquet").to_pylist()
