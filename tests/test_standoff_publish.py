"""Stand-off releases, rehydration from the user's raw files, and the publish dry run / refusals."""

from __future__ import annotations

import filecmp
import shutil

import pytest

from conftest import CORPUS, run_cli, table


@pytest.fixture(scope="module")
def standoff(tmp_path_factory):
    out = tmp_path_factory.mktemp("so") / "release"
    run_cli(
        "build",
        "--corpus",
        str(CORPUS),
        "--out",
        str(out),
        "--text-policy",
        "standoff",
        "--quiet",
        check=True,
    )
    return out


def test_standoff_withholds_text_but_keeps_offsets_and_hashes(standoff, release):
    docs = table(standoff, "documents")
    full = {d["doc_id"]: d for d in table(release, "documents")}
    for d in docs:
        assert d["text"] is None and d["author_bio"] is None
        assert d["text_sha256"] == full[d["doc_id"]]["text_sha256"]
        assert d["title"] == full[d["doc_id"]]["title"]
    assert all(p["text"] is None for p in table(standoff, "paragraphs"))
    assert all(r["text"] is None for r in table(standoff, "removed"))
    assert all(e["quote"] is None for s in table(standoff, "stances") for e in s["evidence"])
    assert [(m["start"], m["end"], m["concept_id"]) for m in table(standoff, "concept_mentions")] == [
        (m["start"], m["end"], m["concept_id"]) for m in table(release, "concept_mentions")
    ]
    text = (standoff / "DATASHEET.md").read_text() + (standoff / "README.md").read_text()
    assert "Tell me who your enemy is" not in text
    assert run_cli("validate", str(standoff)).returncode == 0


def test_rehydrate_reproduces_the_full_release_byte_for_byte(standoff, release, tmp_path):
    out = tmp_path / "rehydrated"
    run_cli("rehydrate", str(standoff), str(CORPUS / "raw"), "--out", str(out), check=True)
    a = sorted(p.relative_to(release) for p in release.rglob("*") if p.is_file())
    assert a == sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    for rel in a:
        assert filecmp.cmp(release / rel, out / rel, shallow=False), rel


def test_rehydrate_refuses_a_modified_raw_file(standoff, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CORPUS / "raw", raw)
    f = raw / "002_99ca33c9588ff379.txt"
    f.write_text(f.read_text(encoding="utf-8").replace("Comrades", "Comrads", 1), encoding="utf-8")
    proc = run_cli("rehydrate", str(standoff), str(raw), "--out", str(tmp_path / "out"))
    assert proc.returncode != 0
    assert "002_99ca33c9588ff379.txt" in proc.stderr and "not the same raw text" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_publish_dry_run_lists_every_file(release):
    proc = run_cli("publish", str(release), "--repo-id", "someone/ir-balancing-corpus")
    assert proc.returncode == 0, proc.stderr
    assert (
        "DRY RUN" in proc.stdout
        and "datasets/someone/ir-balancing-corpus" in proc.stdout
        and "tag v" in proc.stdout
    )
    listed = {ln.strip().split("\t")[0] for ln in proc.stdout.splitlines()[1:]}
    assert listed == {str(p.relative_to(release)) for p in release.rglob("*") if p.is_file()}


def test_publish_refuses_an_invalid_release(release_copy):
    p = release_copy / "data" / "stance_targets" / "train-00000-of-00001.parquet"
    p.write_bytes(p.read_bytes()[:-10] + b"0123456789")
    proc = run_cli("publish", str(release_copy), "--repo-id", "someone/ir-balancing-corpus")
    assert proc.returncode != 0 and "DRY RUN" not in proc.stdout
    assert "stance_targets" in proc.stderr


def test_publish_rejects_a_bad_repo_id(release):
    proc = run_cli("publish", str(release), "--repo-id", "no-owner")
    assert proc.returncode != 0 and "OWNER/NAME" in proc.stderr


def test_real_upload_needs_a_token(release, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    proc = run_cli("publish", str(release), "--repo-id", "someone/x", "--no-dry-run")
    assert proc.returncode != 0 and "HF_TOKEN is not set" in proc.stderr
