"""Bad input: a one-line error naming the file, the place and the reason; non-zero exit; nothing half-written."""

from __future__ import annotations

import shutil

import pytest

from conftest import run_cli

FIRST = "000_bdeadfa9332f0026.txt"


def build(corpus, out, *extra):
    return run_cli("build", "--corpus", str(corpus), "--out", str(out), "--quiet", *extra)


def forget_hashes(corpus):
    """A researcher's own corpus may not record raw SHA-256s; the build then checks content only."""
    f = corpus / "sources.yaml"
    f.write_text("".join(ln for ln in f.read_text().splitlines(True) if "raw_sha256:" not in ln))


def assert_refused(proc, *needles):
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert "Traceback" not in err
    assert err.startswith("irbc build: error:")
    for n in needles:
        assert n in err, err


def test_missing_corpus_folder(tmp_path):
    proc = build(tmp_path / "nope", tmp_path / "out")
    assert_refused(proc, "corpus folder does not exist")
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("damage", "needles"),
    [
        (lambda raw: raw.write_bytes(b""), ["000_bdeadfa9332f0026.txt", "empty raw file"]),
        (
            lambda raw: raw.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)),
            ["not UTF-8", "UTF-16"],
        ),
        (
            lambda raw: raw.write_bytes("Caf\u00e9 au lait, d\u00e9j\u00e0 vu.\n".encode("cp1252")),
            ["byte 3", "not UTF-8", "Windows-1252"],
        ),
        (lambda raw: raw.write_bytes(b"text\x00more text " * 10), ["binary file (NUL byte)"]),
        (
            lambda raw: raw.write_text(
                "This is a preview of subscription content, log in to check access.\n"
            ),
            ["nothing but noise"],
        ),
    ],
    ids=["empty", "binary", "not-utf8", "nul-byte", "only-noise"],
)
def test_bad_raw_files(corpus_copy, tmp_path, damage, needles):
    forget_hashes(corpus_copy)
    damage(corpus_copy / "raw" / FIRST)
    proc = build(corpus_copy, tmp_path / "out")
    assert_refused(proc, *needles)
    assert not (tmp_path / "out").exists()


def test_unlisted_file_and_missing_file(corpus_copy, tmp_path):
    shutil.copy(corpus_copy / "raw" / FIRST, corpus_copy / "raw" / "999_extra.txt")
    assert_refused(build(corpus_copy, tmp_path / "out"), "999_extra.txt", "not listed in sources.yaml")
    (corpus_copy / "raw" / "999_extra.txt").unlink()
    (corpus_copy / "raw" / FIRST).unlink()
    assert_refused(build(corpus_copy, tmp_path / "out"), "sources.yaml", FIRST, "does not exist")


def test_duplicate_content(corpus_copy, tmp_path):
    forget_hashes(corpus_copy)
    shutil.copy(corpus_copy / "raw" / FIRST, corpus_copy / "raw" / "001_ba866733475a83d0.txt")
    assert_refused(build(corpus_copy, tmp_path / "out"), "duplicate raw file", FIRST)


def test_recorded_hash_catches_a_changed_raw_file(corpus_copy, tmp_path):
    f = corpus_copy / "raw" / FIRST
    f.write_text(f.read_text(encoding="utf-8").replace("Russian", "Russien", 1), encoding="utf-8")
    assert_refused(build(corpus_copy, tmp_path / "out"), FIRST, "differs from sources.yaml")


def test_validation_failure_refuses_the_release(corpus_copy, tmp_path):
    """A build whose tables fail a check lists the failing check and leaves no release behind."""
    rules = corpus_copy / "rules.yaml"
    rules.write_text(
        rules.read_text().replace("probe: 'Leave a Reply|", "probe: 'soft balancing|Leave a Reply|", 1)
    )
    proc = build(corpus_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert "validation check(s) failed" in proc.stderr
    assert "expect_column_values_to_not_match_regex_list" in proc.stderr
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]


def test_skip_mode_builds_the_rest_and_lists_what_was_skipped(corpus_copy, tmp_path):
    import json

    (corpus_copy / "raw" / FIRST).write_bytes(b"")
    # the curated files for the skipped document are simply not used
    proc = build(corpus_copy, tmp_path / "out", "--on-bad-input", "skip")
    assert proc.returncode == 0, proc.stderr
    cfg = json.loads((tmp_path / "out" / "build_config.json").read_text())
    assert [s["doc_id"] for s in cfg["skipped"]] == ["ross_2020_sino_russian_relations"]
    assert "empty raw file" in cfg["skipped"][0]["reason"]


@pytest.mark.parametrize(
    ("edit", "needles"),
    [
        (
            lambda t: t.replace("target: russia_balances_china", "target: russia_is_a_bear", 1),
            ["unknown stance target 'russia_is_a_bear'", "line"],
        ),
        (
            lambda t: t.replace(
                "premised on fundamental misunderstandings", "premised on fundamental misreadings", 1
            ),
            ["quote not found", "line"],
        ),
        (
            lambda t: (
                t
                + "\n  - {target: power_with_restraint, holder: Nobody, attribution: reported, stance: favor, "
                'evidence: [{quote: "Russia"}], rationale: "A quote found many times must fail."}\n'
            ),
            ["add `occurrence`"],
        ),
        (lambda t: "doc_id: [unclosed\n" + t, ["invalid YAML", ".yaml:line "]),
    ],
    ids=["unknown-target", "missing-quote", "ambiguous-quote", "invalid-yaml"],
)
def test_bad_curated_stance_file(corpus_copy, tmp_path, edit, needles):
    f = corpus_copy / "annotations" / "stances" / "ross_2020_sino_russian_relations.yaml"
    f.write_text(edit(f.read_text(encoding="utf-8")), encoding="utf-8")
    assert_refused(build(corpus_copy, tmp_path / "out"), "ross_2020_sino_russian_relations.yaml", *needles)


def test_unknown_concept_in_review_file(corpus_copy, tmp_path):
    f = corpus_copy / "annotations" / "mentions" / "gervais_china_russia_alignment.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("- concept: hedging", "- concept: hedgehogging", 1), encoding="utf-8")
    assert_refused(
        build(corpus_copy, tmp_path / "out"), "gervais_china_russia_alignment.yaml", "hedgehogging"
    )


def test_failed_build_leaves_previous_release_untouched(release_copy, corpus_copy):
    before = {p.relative_to(release_copy): p.read_bytes() for p in release_copy.rglob("*") if p.is_file()}
    (corpus_copy / "raw" / FIRST).write_bytes(b"")
    assert_refused(build(corpus_copy, release_copy), "empty raw file")
    after = {p.relative_to(release_copy): p.read_bytes() for p in release_copy.rglob("*") if p.is_file()}
    assert before == after
    assert not [p for p in release_copy.parent.iterdir() if "-tmp-" in p.name]


def test_bad_agreement_file(corpus_copy, tmp_path):
    f = corpus_copy / "annotations" / "agreement" / "stances_second_pass.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace("target: power_with_restraint", "target: no_such_target", 1)
    )
    assert_refused(build(corpus_copy, tmp_path / "out"), "stances_second_pass.yaml", "line", "no_such_target")
