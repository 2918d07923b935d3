"""Declared patterns run on RE2 (linear-time matching): a catastrophic pattern cannot hang a build, a pattern RE2
cannot run is refused with the rule id (or profile) and the reason, and every shipped pattern compiles."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import CORPUS, ROOT, run_cli, table
from irbc.stages.read import load_corpus_config
from irbc.stages.rules import compile_declared, first_match

# Python's engine backtracks exponentially on these when the text is a long run of "a" that does not end the way
# the pattern wants (here: a "b" at the end); RE2 answers in time linear in the text.
CATASTROPHIC = {
    "nested_quantifier": "^(a+)+$",
    "overlapping_alternation": "^(?:a|aa)+$",
    "nested_star": "(?:a*)*c",
}
BAIT = "a" * 50_000 + "b"
DOC = "redos_bait"


def _rule(rule_id: str, pattern: str, detector: str = "line", **extra: str) -> dict:
    return {
        "id": rule_id,
        "reason": "A test rule (catastrophic for a backtracking engine).",
        "category": "navigation",
        "action": "remove",
        "applies_to": {"doc_ids": [DOC]},
        "detector": detector,
        "pattern": pattern,
        **extra,
    }


def _add_rules(corpus: Path, *rules: dict) -> None:
    path = corpus / "rules.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["rules"].extend(rules)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _add_doc(corpus: Path, text: str) -> None:
    (corpus / "raw" / f"{DOC}.txt").write_text(text, encoding="utf-8")
    with (corpus / "sources.yaml").open("a", encoding="utf-8") as f:
        f.write(
            f"  - doc_id: {DOC}\n    source_file: {DOC}.txt\n    site: blog\n    genre: blog_post\n"
            "    language: en\n    doi: null\n    url: null\n    field_sources: {}\n    redistribution: withhold\n"
            "    redistribution_basis: 'A test text.'\n"
        )


def _build(corpus: Path, out: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real CLI (as conftest.run_cli), with a generous timeout: the point is "does not hang"."""
    args = [sys.executable, "-m", "irbc.cli", "build", "--corpus", str(corpus), "--out", str(out), "--quiet"]
    return subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=timeout)


def test_catastrophic_patterns_do_not_hang_the_build(corpus_copy, tmp_path):
    rules = [_rule(f"redos_{name}", pattern) for name, pattern in CATASTROPHIC.items()]
    rules.append(_rule("redos_span", "(?:a+)+$", detector="span"))
    rules.append(_rule("redos_region", "(?:a|aa)+c", detector="region", end_pattern="(?:a+)+c"))
    _add_rules(corpus_copy, *rules)
    _add_doc(
        corpus_copy, f"A Test Title\n\nSome text before the bait.\n\n{BAIT}\n\naaaa\n\nSome text after it.\n"
    )
    proc = _build(corpus_copy, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    (doc,) = [d for d in table(tmp_path / "out", "documents") if d["doc_id"] == DOC]
    assert BAIT in doc["text"] and "\n\naaaa\n\n" not in doc["text"] and doc["text"].endswith("after it.")
    removed = [(r["reason"], r["text"]) for r in table(tmp_path / "out", "removed") if r["doc_id"] == DOC]
    assert ("redos_nested_quantifier", "aaaa\n") in removed  # the line of a's is a match: removed
    assert not [r for r, _ in removed if r in ("redos_region", "redos_nested_star")]


@pytest.mark.parametrize("pattern", sorted(CATASTROPHIC.values()))
def test_catastrophic_patterns_answer_in_linear_time(pattern):
    """In a subprocess with a timeout, so an engine that backtracks fails the test instead of hanging it."""
    code = (
        "from irbc.stages.rules import compile_declared\n"
        f"rx = compile_declared({pattern!r}, 'm')\n"
        "assert rx.search('a' * 200_000 + 'b') is None\n"
        "assert rx.search('a' * 200_000 + ('c' if 'c' in rx.pattern else '')) is not None\n"  # and it matches
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize(
    "pattern, needles",
    [
        (r"Share(?= this)", ["RE2 has no lookahead", "`claim`"]),
        (r"(?<=\n)Tweet", ["RE2 has no lookbehind"]),
        (r"(?!x)y", ["RE2 has no negative lookahead"]),
        (r"(?P<w>\w+) (?P=w)", ["RE2 has no backreferences"]),
        (r"(\w+) \1", ["RE2 has no backreferences"]),
        (r"Share\Z", [r"write \z for the end of the text"]),
        (r"Share\u00a0this", [r"write \x{hhhh} for a code point"]),
        (r"\pL{1000}", ["pattern too large"]),
        (r"(?:(?:a{100}){100}){100}", ["invalid repetition size"]),
        ("(unclosed", ["missing )"]),
    ],
)
def test_a_pattern_re2_cannot_run_is_refused_with_the_rule_id(corpus_copy, tmp_path, pattern, needles):
    _add_rules(corpus_copy, _rule("bad_pattern_rule", pattern, detector="span"))
    proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 1
    err = proc.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert err.startswith("irbc build: error:") and "rules.yaml:rule bad_pattern_rule:" in err, err
    assert "cannot be run by RE2" in err
    for n in needles:
        assert n in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("key", ["end_pattern", "extract", "probe"])
def test_every_declared_pattern_of_a_rule_is_checked(corpus_copy, tmp_path, key):
    bad = r"x(?=y)"
    rule = _rule("bad_part", "Share", detector="region" if key == "end_pattern" else "line")
    rule[key] = [bad] if key == "extract" else bad
    _add_rules(corpus_copy, rule)
    proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 1 and "rule bad_part:" in proc.stderr and "RE2 has no lookahead" in proc.stderr


def test_a_claim_group_must_exist(corpus_copy, tmp_path):
    _add_rules(corpus_copy, _rule("bad_claim", r"\n(?P<line>Share)\n", detector="span", claim="nope"))
    proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 1 and "rule bad_claim:" in proc.stderr and "claim 'nope'" in proc.stderr


def test_a_profile_pattern_re2_cannot_run_is_refused_with_the_profile(corpus_copy, tmp_path):
    path = corpus_copy / "profiles.yaml"
    text = path.read_text(encoding="utf-8")
    old = r"label_block: '^(?P<label>\d+)\. (?P<label_again>\d+)\.$'"
    assert old in text
    path.write_text(text.replace(old, r"label_block: '^(?P<label>\d+)\. (?P=label)\.$'"), encoding="utf-8")
    proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "out"), "--quiet")
    assert proc.returncode == 1
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and "profiles.yaml:profile springer notes.label_block:" in err, err
    assert "RE2 has no backreferences" in err


def test_every_shipped_pattern_compiles_with_re2():
    cfg = load_corpus_config(CORPUS)
    data = yaml.safe_load((CORPUS / "rules.yaml").read_text(encoding="utf-8"))
    assert [r.id for r in cfg.rules] == [r["id"] for r in data["rules"]]
    n = 0
    for r in data["rules"]:
        for p in [r.get("pattern"), r.get("end_pattern"), r.get("probe"), *r.get("extract", [])]:
            if p:
                compile_declared(p, "m")
                n += 1
        if r.get("probe"):
            re.compile(f"(?m){r['probe']}")  # the validation gate also runs the probes with Python's engine
    for prof in cfg.profiles.values():
        patterns = [h["pattern"] for h in prof.get("heading_kinds", [])]
        first_match(tuple(patterns), "i")
        notes, callouts = prof.get("notes") or {}, prof.get("callouts") or {}
        patterns += [notes.get("label_block"), notes.get("label_inline"), callouts.get("pattern")]
        for p in filter(None, patterns):
            compile_declared(p)
            n += 1
    assert n > 60
    for rule in cfg.rules:
        assert rule.detector == "duplicate_block" or type(rule.regex).__module__ == "re2", rule.id
