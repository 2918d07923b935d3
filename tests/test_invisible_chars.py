"""Invisible characters (bidi controls, zero-width characters) are normalised away in the cleaning stage as
audited edits (reason codes `bidi_control`, `zero_width`): the tagger finds the words they split, and the audit
still tiles the raw file exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import CORPUS, run_cli, table
from irbc.core.records import Edit
from irbc.stages.clean import apply_edits
from irbc.stages.document import process_document
from irbc.stages.read import load_corpus_config, read_raw

CFG = load_corpus_config(CORPUS)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"

RAW = (
    "Invisible Characters in a Scrape\n\n"
    "Small states practise soft bal\u202eancing and hedg\u200bing against great powers, and some prefer "
    "band\u2066wagon\u2069ing with the strongest.\n\n"
    "\u200b\n\n"
    "The \u200e\u200fbalance of power\u2060 still matters\ufeff today, \u200c as realists argue.\n"
)


def run(raw: str, site: str = "blog"):
    src = {"doc_id": "inv", "source_file": "inv.txt", "site": site, "genre": "essay", "language": "en"}
    src.update(doi=None, url=None)
    return process_document(src, raw, CFG.rules, CFG.profile(site), hashlib.sha256(raw.encode()).hexdigest())


def rebuild_raw(text: str, removed) -> str:
    """The raw file from the clean text and the audit alone (as the validator does)."""
    out, pos = [], 0
    for r in sorted(removed, key=lambda r: r.clean_offset):
        out.append(text[pos : r.clean_offset])
        out.append(r.text)
        pos = r.clean_offset + len(r.replacement)
    out.append(text[pos:])
    return "".join(out)


def test_the_real_texts_have_no_invisible_characters():
    for s in CFG.sources:
        raw, _ = read_raw(CORPUS / "raw" / s["source_file"])
        assert not set(raw) & set(BIDI + ZERO_WIDTH), s["source_file"]


def test_invisible_characters_are_audited_normalisations():
    res = run(RAW)
    text = res.document.text
    assert "soft balancing and hedging against great powers" in text
    assert "bandwagoning with the strongest" in text
    assert "The balance of power still matters today, as realists argue." in text
    assert not set(text) & set(BIDI + ZERO_WIDTH)
    inv = [r for r in res.removed if r.reason in ("bidi_control", "zero_width")]
    assert {r.reason for r in inv} == {"bidi_control", "zero_width"}
    for r in inv:
        assert r.action == "normalize" and r.replacement == ""
        expected = "bidi_control" if set(r.text) <= set(BIDI) else "zero_width"
        assert set(r.text) <= set(BIDI + ZERO_WIDTH) and r.reason == expected, r
    assert "".join(r.text for r in inv) == "".join(ch for ch in RAW if ch in BIDI + ZERO_WIDTH)
    # the audit tiles the raw file exactly and rebuilds both texts
    pos = 0
    for r in sorted(res.removed, key=lambda r: r.raw_start):
        assert pos <= r.raw_start and RAW[r.raw_start : r.raw_end] == r.text
        pos = r.raw_end
    edits = [Edit(r.raw_start, r.raw_end, r.replacement, r.reason, r.action) for r in res.removed]
    assert apply_edits(RAW, edits) == text
    assert rebuild_raw(text, res.removed) == RAW
    # the line holding only a zero-width space is blank: it neither becomes a paragraph nor hides the break
    assert [p.text[:10] for p in res.paragraphs] == ["Invisible ", "Small stat", "The balanc"]
    assert res.document.removed_chars == 0  # normalisations, not removed noise


@pytest.mark.parametrize("site", ["blog", "lse_blogs", "springer", "oxford_research_encyclopedia", "medium"])
def test_a_text_of_only_invisible_characters_is_nothing_but_noise(site):
    from irbc.core.errors import InputError

    with pytest.raises(InputError, match="nothing but noise"):
        run("\u200b\u202e\n\n\u2060\n", site)


def test_through_the_cli_the_lexicon_finds_the_words_and_the_audit_balances(corpus_copy, tmp_path):
    (corpus_copy / "raw" / "invisible.txt").write_text(RAW, encoding="utf-8")
    with (corpus_copy / "sources.yaml").open("a", encoding="utf-8") as f:
        f.write(
            "  - doc_id: invisible_chars\n    source_file: invisible.txt\n    site: blog\n    genre: blog_post\n"
            "    language: en\n    doi: null\n    url: null\n    field_sources: {}\n    redistribution: withhold\n"
            "    redistribution_basis: 'A test text.'\n"
        )
    out = tmp_path / "out"
    run_cli("build", "--corpus", str(corpus_copy), "--out", str(out), "--quiet", check=True)
    (doc,) = [d for d in table(out, "documents") if d["doc_id"] == "invisible_chars"]
    mentions = [m for m in table(out, "concept_mentions") if m["doc_id"] == "invisible_chars"]
    found = {doc["text"][m["start"] : m["end"]] for m in mentions if m["annotator"] == "lexicon_v1"}
    assert {"soft balancing", "hedging", "bandwagoning", "balance of power"} <= found, found
    assert all(doc["text"][m["start"] : m["end"]] == m["surface"] for m in mentions)
    removed = [r for r in table(out, "removed") if r["doc_id"] == "invisible_chars"]
    assert {"bidi_control", "zero_width"} <= {r["reason"] for r in removed}
    raw = (corpus_copy / "raw" / "invisible.txt").read_bytes()
    assert doc["raw_sha256"] == hashlib.sha256(raw).hexdigest()
    proc = run_cli("validate", str(out))  # the validator's audit check rebuilds every raw file (SHA-256)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert Path(out / "validation_report.json").is_file()
