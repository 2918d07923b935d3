"""Release folders that are damaged, hostile or not releases at all (issue 12): `irbc validate`, `publish` and
`rehydrate` refuse them with a failing check or one line naming the file, the place and the reason, never read
a file outside the release, and neither lose nor write anything."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import irbc.gate.release as G
from conftest import CORPUS, ROOT, run_cli
from irbc.core.schema import TABLES

DOCS = "data/documents/train-00000-of-00001.parquet"
STANCES = "data/stances/train-00000-of-00001.parquet"


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "10000")


# ------------------------------------------------------------------------------------------ helpers
def snapshot(folder: Path) -> dict[str, Any]:
    """Every entry under ``folder`` (links not followed): SHA-256 of files, targets of links."""
    out: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            rel = str(p.relative_to(folder))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            else:
                out[rel] = "dir"
    return out


def refresh_manifest(release: Path, rel: str) -> None:
    mpath = release / "manifest.json"
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    p = release / rel
    manifest["files"][rel] = {
        "sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
        "bytes": p.stat().st_size,
        "rows": pq.ParquetFile(p).metadata.num_rows,
    }
    mpath.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def edit_manifest(release: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    mpath = release / "manifest.json"
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    edit(manifest)
    mpath.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def failures(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The failing-check lines `irbc validate` printed ('[kind] table: check — N failing (e.g. ...)')."""
    assert "Traceback" not in proc.stderr, proc.stderr
    return [ln.strip()[2:] for ln in proc.stderr.splitlines() if ln.strip().startswith("- [")]


def one_line_error(proc: subprocess.CompletedProcess[str], cmd: str, *needles: str) -> str:
    """Exit 1, no traceback, exactly one line on stderr, ``irbc <cmd>: error: ...`` holding every needle."""
    err = proc.stderr.strip()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"irbc {cmd}: error: "), err
    for n in needles:
        assert n in err, err
    return err


def hashed_paths(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every file the manifest checks hash or open as Parquet."""
    seen: list[Path] = []
    real_sha, real_rows = G.sha256_file, G._parquet_rows

    def sha(p: Path) -> str:
        seen.append(Path(p))
        return real_sha(p)

    def rows(p: Path) -> int:
        seen.append(Path(p))
        return real_rows(p)

    monkeypatch.setattr(G, "sha256_file", sha)
    monkeypatch.setattr(G, "_parquet_rows", rows)
    return seen


def rewrite_table(release: Path, rel: str, change: Callable[[pa.Table], pa.Table]) -> None:
    """Rewrite one table file with the same rows and a changed Arrow schema; refresh its manifest entry so only
    the schema check can see the change."""
    path = release / rel
    pq.write_table(change(pq.read_table(path)), path, compression="zstd")
    refresh_manifest(release, rel)


# ------------------------------------------------------------------------------------------ 1. Parquet schema
def _field(tbl: pa.Table, name: str, **kw: Any) -> pa.Table:
    i = tbl.schema.get_field_index(name)
    f = tbl.schema.field(i)
    new = pa.field(
        name, kw.get("type", f.type), kw.get("nullable", f.nullable), kw.get("metadata", f.metadata)
    )
    return tbl.cast(tbl.schema.set(i, new))


def _evidence_quote_description(tbl: pa.Table) -> pa.Table:
    i = tbl.schema.get_field_index("evidence")
    f = tbl.schema.field(i)
    item = f.type.value_field
    st = item.type
    subs = [st.field(j) for j in range(st.num_fields)]
    subs[0] = subs[0].with_metadata({"description": "edited"})
    lt = pa.list_(pa.field(item.name, pa.struct(subs), item.nullable, item.metadata))
    return tbl.cast(tbl.schema.set(i, pa.field(f.name, lt, f.nullable, f.metadata)))


SCHEMA_FAULTS = {
    "field-description": (
        DOCS,
        lambda t: _field(t, "title", metadata={"description": "edited"}),
        "title: description 'edited', schema/ says",
    ),
    "nullability": (
        DOCS,
        lambda t: _field(t, "genre", nullable=True),
        "genre: nullable in the file, not nullable in schema/",
    ),
    "type": (
        DOCS,
        lambda t: _field(t, "raw_chars", type=pa.int32()),
        "raw_chars: type int32, schema/ says int64",
    ),
    "order": (DOCS, lambda t: t.select([t.column_names[1], t.column_names[0], *t.column_names[2:]]), "order"),
    "extra-column": (
        DOCS,
        lambda t: t.append_column("secret", pa.array(["x"] * t.num_rows)),
        "field(s) not in schema/: secret",
    ),
    "dropped-metadata": (
        DOCS,
        lambda t: t.replace_schema_metadata(None),
        "schema metadata: description absent, schema/ says",
    ),
    "title": (
        STANCES,
        lambda t: t.replace_schema_metadata({**t.schema.metadata, b"title": b"Positions"}),
        "schema metadata: title 'Positions', schema/ says 'Stance'",
    ),
    "nested-description": (STANCES, _evidence_quote_description, "evidence[].quote: description 'edited'"),
}


@pytest.mark.parametrize("fault", sorted(SCHEMA_FAULTS))
def test_parquet_schema_difference_is_a_failing_check(release_copy: Path, fault: str) -> None:
    rel, change, needle = SCHEMA_FAULTS[fault]
    tbl = rel.split("/")[1]
    rewrite_table(release_copy, rel, change)
    checks = G.parquet_schema_checks(G.open_release(release_copy))
    assert [c.table for c in checks] == list(TABLES)
    bad = [c for c in checks if not c.passed]
    assert [c.table for c in bad] == [tbl], [c.line() for c in bad]
    assert bad[0].kind == "parquet_schema" and needle in bad[0].examples[0], bad[0].examples
    # the manifest was refreshed: the schema check is what sees the change
    assert G.manifest_checks(release_copy)[0].passed


def test_parquet_schema_through_the_cli(release_copy: Path) -> None:
    """End to end: a file whose field description (and nothing else) differs from schema/ does not validate;
    the failure names the table and the first difference; the release is left as it was."""
    rewrite_table(release_copy, DOCS, SCHEMA_FAULTS["field-description"][1])
    before = snapshot(release_copy)
    proc = run_cli("validate", str(release_copy))
    assert proc.returncode == 1
    lines = failures(proc)
    assert lines == [ln for ln in lines if ln.startswith("[parquet_schema] documents: Parquet schema ==")], (
        lines
    )
    assert len(lines) == 1 and "title: description 'edited', schema/ says" in lines[0], lines
    assert snapshot(release_copy) == before


def test_clean_release_schemas_pass(release: Path) -> None:
    """What the build writes (list items named 'element', ARROW:schema in the footer) is what the check expects."""
    from irbc.gate import parquet_schema as PS

    assert all(c.passed for c in PS.parquet_schema_checks(G.open_release(release)))
    for t in TABLES:
        assert PS.written_schema(t).equals(
            pq.read_schema(release / "data" / t / "train-00000-of-00001.parquet")
        )


# ------------------------------------------------------------------------------------------ 2. manifest entries outside
def test_manifest_entries_outside_the_release_are_refused_unread(
    release_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("not part of the release\n")
    good = {"sha256": hashlib.sha256(secret.read_bytes()).hexdigest(), "bytes": secret.stat().st_size}
    (release_copy / "linked").symlink_to(outside, target_is_directory=True)
    entries = ["/etc/passwd", "../../x", "data/../../outside/secret.txt", str(secret), "linked/secret.txt"]
    edit_manifest(release_copy, lambda m: m["files"].update({e: dict(good) for e in entries}))
    before = snapshot(release_copy)
    seen = hashed_paths(monkeypatch)
    check, publishable = G.manifest_checks(release_copy)
    assert check.name == "files match manifest SHA-256" and not check.passed
    assert publishable.name == "manifest publishable matches the data"
    root = release_copy.resolve()
    assert seen and all(p.resolve().is_relative_to(root) for p in seen), seen  # nothing outside was read
    assert not any(p.resolve() == secret.resolve() for p in seen)
    text = " | ".join(check.examples)
    assert check.failed == len(entries), check.examples
    for e in (
        "'/etc/passwd': points outside",
        "'../../x': points outside",
        "'linked/secret.txt': goes through",
    ):
        assert e in text, text
    assert snapshot(release_copy) == before

    proc = run_cli("validate", str(release_copy))
    lines = failures(proc)
    assert proc.returncode == 1
    assert any(
        ln.startswith("[manifest] release: files match manifest SHA-256") and "/etc/passwd" in ln
        for ln in lines
    )
    assert any(
        ln.startswith("[manifest] release: no symbolic links") and "linked is a symbolic link" in ln
        for ln in lines
    )
    assert snapshot(release_copy) == before


def test_table_file_through_a_link_is_not_read(release_copy: Path, tmp_path: Path) -> None:
    """A table file replaced by a link to a copy outside the release: one line, never opened."""
    path = release_copy / DOCS
    elsewhere = tmp_path / "elsewhere.parquet"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    proc = run_cli("validate", str(release_copy))
    one_line_error(proc, "validate", f"{path}: is a symbolic link (not read)", "regular files only")


# ------------------------------------------------------------------------------------------ 3. links inside
def test_links_inside_a_release_fail_validation_and_block_publish(release_copy: Path, tmp_path: Path) -> None:
    (release_copy / "passwd").symlink_to("/etc/passwd")
    (release_copy / "data" / "copy.json").symlink_to(release_copy / "build_config.json")
    check = G.link_check(release_copy)
    assert not check.passed and check.failed == 2
    assert check.examples == [
        f"data/copy.json is a symbolic link (to {release_copy / 'build_config.json'})",
        "passwd is a symbolic link (to /etc/passwd)",
    ]
    before = snapshot(release_copy)
    lines = failures(run_cli("validate", str(release_copy)))
    [ln] = [ln for ln in lines if ln.startswith("[manifest] release: no symbolic links")]
    assert "passwd is a symbolic link (to /etc/passwd)" in ln and "data/copy.json is a symbolic link" in ln
    for extra in ([], ["--no-dry-run"]):
        proc = run_cli("publish", str(release_copy), "--repo-id", "someone/x", *extra)
        one_line_error(
            proc, "publish", "refusing to publish", "regular files only", "passwd is a symbolic link"
        )
        assert proc.stdout == ""  # not even the dry-run listing
    assert snapshot(release_copy) == before


def test_publish_plan_never_follows_a_linked_folder(release_copy: Path, tmp_path: Path) -> None:
    from irbc.release.publish import plan

    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "key").write_text("secret")
    (release_copy / "more").symlink_to(tmp_path / "private", target_is_directory=True)
    assert not any(rel.startswith("more") for rel, _ in plan(release_copy))


# ------------------------------------------------------------------------------------------ 4. corrupt manifest
@pytest.mark.parametrize(
    "content,reason",
    [
        (b"{not json", "manifest.json at line 1 column 2: not valid JSON: Expecting property name"),
        (b"[1, 2]", "manifest.json: not a JSON object (it holds a list)"),
        (b'{"dataset": "IR Balancing Corpus"}', 'manifest.json: no "files" member'),
        (b'{"files": ["README.md"]}', 'manifest.json: its "files" member is not an object (a list)'),
        (b"\xff\xfe{}", "manifest.json at byte 0: not UTF-8 text"),
    ],
    ids=["not-json", "array", "no-files", "files-not-object", "not-utf8"],
)
def test_corrupt_manifest_is_a_failing_check(release_copy: Path, content: bytes, reason: str) -> None:
    (release_copy / "manifest.json").write_bytes(content)
    [check] = G.manifest_checks(release_copy)  # an unreadable manifest: one failing check, nothing else read
    assert check.name == "files match manifest SHA-256" and not check.passed
    assert reason in check.examples[0], check.examples
    before = snapshot(release_copy)
    proc = run_cli("validate", str(release_copy))
    assert proc.returncode == 1
    assert [ln for ln in failures(proc) if ln.startswith("[manifest] release: files match") and reason in ln]
    assert snapshot(release_copy) == before


def test_corrupt_manifest_blocks_publish(release_copy: Path) -> None:
    (release_copy / "manifest.json").write_text("{not json")
    proc = run_cli("publish", str(release_copy), "--repo-id", "someone/x")
    one_line_error(proc, "publish", "refusing to publish", "does not validate")
    assert "DRY RUN" not in proc.stdout


def test_corrupt_build_summary_is_one_line(release_copy: Path) -> None:
    (release_copy / "build_summary.json").write_text('{"summary": ')
    proc = run_cli("validate", str(release_copy))
    one_line_error(
        proc, "validate", f"{release_copy / 'build_summary.json'}:line 1 column 13: not valid JSON"
    )


# ------------------------------------------------------------------------------------------ 5. not a release
def test_empty_folder_is_not_a_release(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = run_cli("validate", str(empty))
    one_line_error(proc, "validate", f"{empty}: is not an irbc release: no manifest.json and no data/ folder")
    assert list(empty.iterdir()) == []


def test_folder_of_other_files_is_not_a_release(tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "a.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / "notes.txt").write_text("hello")
    before = snapshot(folder)
    for cmd in (["validate", str(folder)], ["publish", str(folder), "--repo-id", "someone/x"]):
        proc = run_cli(*cmd)
        one_line_error(
            proc, cmd[0], f"{folder}: is not an irbc release: no manifest.json and no data/ folder"
        )
    assert snapshot(folder) == before


def test_manifest_without_data_folder(release_copy: Path) -> None:
    import shutil

    shutil.rmtree(release_copy / "data")
    proc = run_cli("validate", str(release_copy))
    one_line_error(proc, "validate", f"{release_copy}: is not a complete irbc release: no data/ folder")


def test_a_file_or_nothing_is_not_a_release(tmp_path: Path) -> None:
    f = tmp_path / "release.zip"
    f.write_bytes(b"PK\x03\x04")
    one_line_error(run_cli("validate", str(f)), "validate", f"{f}: is a file, not a release folder")
    one_line_error(run_cli("validate", str(tmp_path / "nope")), "validate", "release folder does not exist")
    assert f.read_bytes() == b"PK\x03\x04" and sorted(p.name for p in tmp_path.iterdir()) == ["release.zip"]


# ------------------------------------------------------------------------------------------ 6. rehydrate
@pytest.mark.parametrize(
    "remove", ["build_config.json", "build_summary.json", "build_inputs", "build_inputs/rules.yaml"]
)
def test_rehydrate_names_the_missing_file(release_copy: Path, tmp_path: Path, remove: str) -> None:
    import shutil

    p = release_copy / remove
    shutil.rmtree(p) if p.is_dir() else p.unlink()
    before = snapshot(release_copy)
    out = tmp_path / "out"
    proc = run_cli("rehydrate", str(release_copy), str(CORPUS / "raw"), "--out", str(out))
    one_line_error(proc, "rehydrate", f"{p}: missing: rehydrate needs it")
    assert not out.exists() and snapshot(release_copy) == before


def test_rehydrate_names_a_corrupt_build_config(release_copy: Path, tmp_path: Path) -> None:
    (release_copy / "build_config.json").write_text('{"text_policy": "standoff"}')
    out = tmp_path / "out"
    proc = run_cli("rehydrate", str(release_copy), str(CORPUS / "raw"), "--out", str(out))
    one_line_error(proc, "rehydrate", f'{release_copy / "build_config.json"}: no "inputs" member')
    assert not out.exists()


def test_rehydrate_of_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = run_cli("rehydrate", str(tmp_path / "empty"), str(CORPUS / "raw"), "--out", str(tmp_path / "out"))
    one_line_error(proc, "rehydrate", "is not an irbc release")
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------------ 7. publish offline
def publish_cli(release: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("HF_")} | env
    return subprocess.run(
        [sys.executable, "-m", "irbc.cli", "publish", str(release), "--repo-id", "someone/x", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full,
        timeout=180,
    )


@pytest.fixture(scope="module")
def standoff(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The publishable release (a full-text one is refused by its rights before any Hub call)."""
    out = tmp_path_factory.mktemp("standoff") / "release"
    run_cli("build", "--text-policy", "standoff", "--out", str(out), "--quiet", check=True)
    return out


@pytest.mark.parametrize(
    "env,needle",
    [
        ({"HF_HUB_OFFLINE": "1"}, "offline mode is enabled"),
        ({"HF_ENDPOINT": "http://127.0.0.1:9"}, "could not reach the Hub"),
    ],
    ids=["offline", "unreachable"],
)
def test_publish_offline_is_one_line(
    standoff: Path, tmp_path: Path, env: dict[str, str], needle: str
) -> None:
    release = standoff
    before = snapshot(release)
    env = {"HF_TOKEN": "hf_dummy_not_a_token", "HF_HOME": str(tmp_path / "hf"), **env}
    proc = publish_cli(release, env, "--no-dry-run")
    err = one_line_error(proc, "publish", "while creating the dataset repository for someone/x", needle)
    assert "(nothing was uploaded)" in err and "hf_dummy" not in err
    assert proc.stdout.startswith("uploading ")  # the token was there, so the listing came first
    assert snapshot(release) == before


def test_no_token_is_refused_before_anything_is_printed(standoff: Path, tmp_path: Path) -> None:
    for token in ({}, {"HF_TOKEN": "  "}):
        proc = publish_cli(
            standoff, {"HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1", **token}, "--no-dry-run"
        )
        one_line_error(proc, "publish", "HF_TOKEN is not set")
        assert proc.stdout == ""


# ------------------------------------------------------------------------------------------ 8. check counts
def test_validate_explains_its_count(release: Path) -> None:
    built = json.loads((release / "validation_report.json").read_text(encoding="utf-8"))
    assert not {"manifest", "parquet_schema", "view"} & set(
        built["by_kind"]
    )  # the build's report: content checks only
    report = G.validate_release(release)
    n = report.counts()
    # required files, manifest, publishable record, links; one check per derived view and per table's Parquet schema
    from irbc.release.views import VIEWS

    files = 4 + len(VIEWS) + len(TABLES)
    assert n == {
        "checks": built["n_checks"] + files,
        "failed": 0,
        "content": built["n_checks"],
        "release_files": files,
    }
    kinds = report.to_json()["by_kind"]
    assert kinds["manifest"]["checks"] + kinds["parquet_schema"]["checks"] + kinds["view"]["checks"] == files
    assert report.count_line() == (
        f"{n['checks']} checks, 0 failed ({built['n_checks']} content checks, as run by the build, "
        f"+ {files} release-file checks)"
    )
