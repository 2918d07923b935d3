"""The CLI never destroys or leaks a user's files, refuses hostile inputs with one clear line, and behaves like a
well-made command-line tool (issue 12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import CORPUS, ROOT, run_cli


def run_in(
    cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "irbc.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    for n in needles:
        assert n in lines[0], (n, lines[0])


# ------------------------------------------------------------------------------------------ --out is safe
def test_out_refuses_a_folder_holding_someone_elses_file(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_bytes(b"\\chapter{years of work}")
    proc = run_cli("build", "--out", str(out), "--quiet")
    one_line_error(proc, str(out), "not an irbc release", "nothing was touched")
    assert snapshot(out) == {"thesis.tex": b"\\chapter{years of work}"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no staging folder left beside it


def test_out_refuses_the_current_folder_and_its_parents(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    work = tmp_path / "work"
    work.mkdir()
    corpus = str(CORPUS)
    for out in (".", "..", str(tmp_path)):
        cwd = work if out != "." else tmp_path
        proc = run_in(cwd, "build", "--corpus", corpus, "--out", out, "--quiet")
        one_line_error(proc, "current folder")
    assert (tmp_path / "notes.txt").read_text() == "keep me" and work.is_dir()


def test_out_refuses_root_and_home_before_any_work(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("alias ll='ls -l'")
    proc = run_cli("build", "--out", "/", "--quiet")
    one_line_error(proc, "root folder")
    proc = run_in(ROOT, "build", "--out", str(home), "--quiet", env={"HOME": str(home)})
    one_line_error(proc, "home folder")
    assert (home / ".bashrc").read_text() == "alias ll='ls -l'"


def test_out_refuses_the_corpus_and_a_folder_holding_it(corpus_copy: Path) -> None:
    before = snapshot(corpus_copy)
    for out in (corpus_copy, corpus_copy.parent, corpus_copy / "raw"):
        proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(out), "--quiet")
        one_line_error(proc, "the corpus folder")
    assert snapshot(corpus_copy) == before


def test_out_refuses_a_regular_file_and_a_link(tmp_path: Path) -> None:
    f = tmp_path / "release"
    f.write_bytes(b"not a folder")
    one_line_error(run_cli("build", "--out", str(f), "--quiet"), "not a folder")
    assert f.read_bytes() == b"not a folder"
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere")
    one_line_error(run_cli("build", "--out", str(link), "--quiet"), "symbolic link")


def test_out_refuses_a_release_holding_a_file_of_the_user(release_copy: Path) -> None:
    (release_copy / "my_analysis.ipynb").write_text("{}")
    before = snapshot(release_copy)
    one_line_error(run_cli("build", "--out", str(release_copy), "--quiet"), "my_analysis.ipynb")
    assert snapshot(release_copy) == before


def test_out_may_be_an_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    run_cli("build", "--out", str(out), "--quiet", check=True)
    assert (out / "manifest.json").is_file()


def test_rehydrate_refuses_its_input_release_and_raw_folder(corpus_copy: Path, tmp_path: Path) -> None:
    standoff = tmp_path / "standoff"
    run_cli("build", "--text-policy", "standoff", "--out", str(standoff), "--quiet", check=True)
    before, raw_before = snapshot(standoff), snapshot(corpus_copy / "raw")
    raw = corpus_copy / "raw"
    for out, what in (
        (standoff, "the input release"),
        (standoff / "data", "the input release"),
        (raw, "the raw folder"),
    ):
        proc = run_cli("rehydrate", str(standoff), str(raw), "--out", str(out))
        one_line_error(proc, what, "refusing to write there")
    assert snapshot(standoff) == before and snapshot(raw) == raw_before


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ENOSPC while the release is written: a one-line error, no staging folder, no half release."""
    import errno

    from irbc.core import tables
    from irbc.core.errors import IrbcError
    from irbc.run.driver import build_release
    from irbc.run.options import BuildOptions

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.parquet"))

    monkeypatch.setattr(tables.TableSink, "close", full)
    out = tmp_path / "release"
    with pytest.raises(IrbcError, match="No space left on device") as err:
        build_release(BuildOptions(corpus=CORPUS, out=out))
    assert "\n" not in str(err.value)
    assert list(tmp_path.iterdir()) == []


def test_sigterm_cleans_up_the_staging_folder(release_copy: Path) -> None:
    before = snapshot(release_copy)
    proc = subprocess.Popen(
        [sys.executable, "-m", "irbc.cli", "build", "--out", str(release_copy), "--quiet"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not any(
        p.name.startswith(".release-tmp-") for p in release_copy.parent.iterdir()
    ):
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (143, 0), err  # 0: the build won the race and finished
    assert not [p for p in release_copy.parent.iterdir() if p.name.startswith(".release-")]
    if proc.returncode == 143:
        assert "terminated" in err and snapshot(release_copy) == before


# ------------------------------------------------------------------------------------------ hostile inputs
def test_a_symlinked_raw_file_is_refused(corpus_copy: Path, tmp_path: Path) -> None:
    sources = yaml.safe_load((corpus_copy / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    raw = corpus_copy / "raw" / sources[0]["source_file"]
    raw.unlink()
    raw.symlink_to("/etc/passwd")
    for mode in ("error", "skip"):
        proc = run_cli(
            "build", "--corpus", str(corpus_copy), "--out", str(tmp_path / mode), "--on-bad-input", mode
        )
        one_line_error(proc, sources[0]["source_file"], "symbolic link")
        assert not (tmp_path / mode).exists()


def test_a_symlinked_annotation_file_is_refused(corpus_copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "outside.yaml"
    stance = next((corpus_copy / "annotations" / "stances").iterdir())
    target.write_bytes(stance.read_bytes())
    stance.unlink()
    stance.symlink_to(target)
    one_line_error(
        run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "o")), "symbolic link"
    )


BOMB = "\n".join(
    ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    + [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefghijklmnopq", "bcdefghijklmnopqr", strict=True)
    ]
)


@pytest.mark.parametrize("where", ["sources.yaml", "annotations/stances"])
def test_a_yaml_alias_bomb_is_refused_at_once(corpus_copy: Path, tmp_path: Path, where: str) -> None:
    if where == "sources.yaml":
        path = corpus_copy / "sources.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "bomb:\n  " + BOMB.replace("\n", "\n  ") + "\n")
    else:
        path = next((corpus_copy / "annotations" / "stances").iterdir())
        path.write_text(path.read_text(encoding="utf-8") + BOMB + "\n")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "irbc.cli",
            "build",
            "--corpus",
            str(corpus_copy),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert time.perf_counter() - t0 < 100  # the expansion would take minutes and gigabytes
    assert proc.returncode == 1 and "YAML anchors and aliases" in proc.stderr and path.name in proc.stderr


def test_a_misnamed_or_unknown_curated_file_is_not_ignored(corpus_copy: Path, tmp_path: Path) -> None:
    stances = corpus_copy / "annotations" / "stances"
    first = sorted(stances.iterdir())[0]
    first.rename(first.with_suffix(".yml"))
    one_line_error(
        run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "a")), ".yml", "<doc_id>.yaml"
    )
    first.with_suffix(".yml").rename(first)
    (corpus_copy / "annotations" / "mentions" / "no_such_doc.yaml").write_text("doc_id: no_such_doc\n")
    proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "b"))
    one_line_error(proc, "no_such_doc.yaml", "names no document")
    out = tmp_path / "c"
    run_cli("build", "--corpus", str(corpus_copy), "--out", str(out), "--on-bad-input", "skip", check=True)
    skipped = json.loads((out / "build_summary.json").read_text(encoding="utf-8"))["skipped"]
    assert [s["file"] for s in skipped] == ["corpus/annotations/mentions/no_such_doc.yaml"]


def test_skip_mode_records_no_host_paths(corpus_copy: Path, tmp_path: Path) -> None:
    sources = yaml.safe_load((corpus_copy / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    (corpus_copy / "raw" / sources[1]["source_file"]).write_bytes(b"\xff\xfe broken")
    (corpus_copy / "raw" / "stray.txt").write_text("not listed")
    out = tmp_path / "release"
    run_cli("build", "--corpus", str(corpus_copy), "--out", str(out), "--on-bad-input", "skip", check=True)
    for name in ("manifest.json", "build_config.json", "build_summary.json"):
        text = (out / name).read_text(encoding="utf-8")
        assert str(tmp_path) not in text and str(ROOT) not in text, name
    skipped = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["skipped_inputs"]
    assert sorted(s["file"] for s in skipped) == sorted(
        ["corpus/raw/stray.txt", f"corpus/raw/{sources[1]['source_file']}"]
    )


def test_every_schema_error_is_reported_at_once(corpus_copy: Path, tmp_path: Path) -> None:
    sources = corpus_copy / "sources.yaml"
    text = sources.read_text(encoding="utf-8")
    text = text.replace("    genre: journal_article\n", "    genre: journal-article\n", 1)
    text = text.replace("    language: en\n", "", 1).replace(
        "    redistribution: withhold\n", "    redistribution: maybe\n"
    )
    sources.write_text(text)
    rules = corpus_copy / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("    reason:", "    reasn:", 1))
    proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "o"))
    assert proc.returncode == 1
    lines = [ln.strip() for ln in proc.stderr.strip().splitlines()[1:]]
    assert len([ln for ln in lines if ln.startswith(str(sources)) and "'maybe' is not one of" in ln]) == 5
    assert any("'language' is a required property" in ln and "(line " in ln for ln in lines)
    assert any("journal-article" in ln for ln in lines)
    assert any(ln.startswith(str(rules)) and "'reason' is a required property" in ln for ln in lines)


# ------------------------------------------------------------------------------------------ adding a text
def test_add_source_appends_a_valid_entry_and_the_text_builds(corpus_copy: Path, tmp_path: Path) -> None:
    raw = tmp_path / "post.txt"
    raw.write_text("A Post About Hedging\n\nStates hedge when they balance and bandwagon at once.\n")
    before = (corpus_copy / "sources.yaml").read_text(encoding="utf-8")
    args = ["--doc-id", "my_post", "--site", "blog", "--genre", "blog_post", "--language", "en"]
    run_cli("add-source", str(raw), *args, "--corpus", str(corpus_copy), check=True)
    after = (corpus_copy / "sources.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # appended: the comments and the other entries are as they were
    entry = yaml.safe_load(after)["sources"][-1]
    import hashlib

    assert entry["raw_sha256"] == hashlib.sha256(raw.read_bytes()).hexdigest()
    assert entry["doi"] is None and entry["url"] is None and entry["redistribution"] == "withhold"
    assert (corpus_copy / "raw" / "post.txt").read_bytes() == raw.read_bytes()
    out = tmp_path / "release"
    run_cli("build", "--corpus", str(corpus_copy), "--out", str(out), "--quiet", check=True)
    docs = json.loads((out / "build_summary.json").read_text(encoding="utf-8"))["summary"]["documents"]
    assert "my_post" in [d["doc_id"] for d in docs]
    again = run_cli("add-source", str(raw), *args, "--corpus", str(corpus_copy))
    one_line_error(again, "my_post", "already listed")
    assert (corpus_copy / "sources.yaml").read_text(encoding="utf-8") == after


def test_add_source_refuses_a_bad_text_and_changes_nothing(corpus_copy: Path, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9 society".encode("latin-1"))
    before = snapshot(corpus_copy)
    args = [
        "--doc-id",
        "cafe",
        "--site",
        "blog",
        "--genre",
        "essay",
        "--language",
        "en",
        "--corpus",
        str(corpus_copy),
    ]
    one_line_error(run_cli("add-source", str(bad), *args), "latin1.txt", "not UTF-8")
    good = tmp_path / "good.txt"
    good.write_text("A Title\n\nA paragraph.\n")
    one_line_error(
        run_cli("add-source", str(good), *args[2:], "--doc-id", "Bad Id"), "doc_id", "does not match"
    )
    assert snapshot(corpus_copy) == before


# ------------------------------------------------------------------------------------------ a well-made CLI
def test_version_and_help_on_every_command_and_option() -> None:
    from irbc import __version__
    from irbc.cli import parser

    proc = run_cli("--version")
    assert proc.returncode == 0 and __version__ in proc.stdout
    p = parser()
    sub = next(a for a in p._actions if a.__class__.__name__ == "_SubParsersAction")
    assert set(sub.choices) == {
        "build",
        "validate",
        "rehydrate",
        "publish",
        "review-template",
        "add-source",
        "export",
        "import",
    }
    for name, cmd in sub.choices.items():
        assert cmd.allow_abbrev is False and cmd.description, name
        for action in cmd._actions:
            assert action.help and action.help.strip(), (name, action.dest)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["build", "--work", "2"], "unrecognized arguments: --work"),
        (["build", "--workers", "0"], "must be at least 1"),
        (["validate", "x", "--workers", "-1"], "must be at least 1"),
        (["build", "--scheduler", "tcp://127.0.0.1:9"], "--scheduler needs --executor dask"),
    ],
)
def test_option_checks(args: list[str], needle: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2 and needle in proc.stderr


def test_an_unreachable_scheduler_is_one_line_soon(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    proc = run_cli(
        "build", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")
    )
    assert time.perf_counter() - t0 < 60
    one_line_error(proc, "cannot reach the dask scheduler at tcp://127.0.0.1:9")
    assert not (tmp_path / "o").exists()


def test_review_template_out_replaces_the_file_it_names(corpus_copy: Path) -> None:
    review = corpus_copy / "annotations" / "mentions" / "ore_soft_balancing.yaml"
    printed = run_cli(
        "review-template", "ore_soft_balancing", "--corpus", str(corpus_copy), check=True
    ).stdout
    run_cli(
        "review-template",
        "ore_soft_balancing",
        "--corpus",
        str(corpus_copy),
        "--out",
        str(review),
        check=True,
    )
    assert review.read_text(encoding="utf-8") == printed and printed.startswith(
        "doc_id: ore_soft_balancing\n"
    )
    assert not [p for p in review.parent.iterdir() if p.name.startswith(".")]
