"""Interrupted builds leave the previous release intact; oversized inputs are refused by a documented limit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from conftest import CORPUS, ROOT, run_cli
from irbc.stages.read import MAX_RAW_BYTES


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_killed_build_leaves_previous_release_and_next_build_cleans_up(release_copy):
    before = snapshot(release_copy)
    killed = False
    for _ in range(5):  # catch the build while it writes its temporary folder
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "irbc.cli",
                "build",
                "--corpus",
                str(CORPUS),
                "--out",
                str(release_copy),
                "--quiet",
            ],
            cwd=ROOT,
        )
        deadline = time.time() + 120
        while proc.poll() is None and time.time() < deadline:
            if any(p.name.startswith(".release-tmp-") for p in release_copy.parent.iterdir()):
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
                killed = True
                break
            time.sleep(0.002)
        if killed:
            break
        proc.wait()
    assert killed, "could not interrupt a build while it was writing"
    assert snapshot(release_copy) == before, "the previous release changed"
    stray = [p for p in release_copy.parent.iterdir() if p.name.startswith(".release-")]
    assert stray, "the killed build left its temporary folder (it could not clean up)"
    run_cli("build", "--corpus", str(CORPUS), "--out", str(release_copy), "--quiet", check=True)
    assert not [p for p in release_copy.parent.iterdir() if p.name.startswith(".release-")]
    assert snapshot(release_copy) == before, "rebuilding the same inputs gives the same bytes"


def test_oversized_raw_file_is_refused(corpus_copy, tmp_path):
    big = corpus_copy / "raw" / "000_bdeadfa9332f0026.txt"
    with big.open("wb") as f:
        f.truncate(MAX_RAW_BYTES + 1)
    proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode != 0
    assert "over the documented limit" in proc.stderr and "000_bdeadfa9332f0026.txt" in proc.stderr


def test_two_workers_and_dask_give_the_same_release(release, tmp_path):
    import filecmp

    ran_on = {"2": "2 local worker processes", "dask": "dask.distributed, scheduler tcp://127.0.0.1:"}
    for extra in (["--workers", "2"], ["--workers", "2", "--executor", "dask"]):
        out = tmp_path / extra[-1] / "release"
        proc = run_cli("build", "--corpus", str(CORPUS), "--out", str(out), *extra, check=True)
        # the stage really ran there (the build log says so; the release itself must not differ)
        assert f"per-document stage ran on {ran_on[extra[-1]]}" in " ".join(proc.stderr.split())
        files = sorted(p.relative_to(release) for p in release.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
        for rel in files:
            assert filecmp.cmp(release / rel, out / rel, shallow=False), (extra, rel)


def test_a_release_moved_aside_by_a_killed_build_is_restored(release_copy):
    """Killed between moving the old release aside and renaming the new one in: the next build puts the old
    release back before anything else (it is never deleted)."""
    before = snapshot(release_copy)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that has exited
    aside = release_copy.parent / f".{release_copy.name}-old-{dead.pid}-abc123"
    release_copy.rename(aside)
    from irbc.release.writer import remove_stale

    remove_stale(release_copy)
    assert release_copy.is_dir() and not aside.exists()
    assert snapshot(release_copy) == before
