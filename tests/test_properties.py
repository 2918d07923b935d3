"""Property tests over generated text: the cleaner, the splitter, the tagger and quote anchoring never crash,
every span is in bounds and matches its text, and the cleaning audit balances."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from irbc.annotators.anchoring import anchor
from irbc.annotators.codebook import load_codebook
from irbc.annotators.lexicon import Tagger
from irbc.core.errors import InputError
from irbc.core.schema import schema_dir
from irbc.stages.clean import apply_edits
from irbc.stages.document import process_document
from irbc.stages.read import load_corpus_config

ROOT = Path(__file__).resolve().parents[1]
CFG = load_corpus_config(ROOT / "corpus")
TAGGER = Tagger(load_codebook(schema_dir() / "codebook.yaml"))

PIECES = [
    "soft balancing",
    "Balance of Power",
    "bandwagon",
    "hedging",
    "Russia",
    "China",
    "the",
    "and",
    "[1]",
    "[2]",
    "1. 1.",
    "•",
    "“",
    "”",
    "’",
    "—",
    ":",
    "?",
    ".",
    ",",
    "\u00a0",
    "\u00ad",
    "\u200b",
    "\u200d",
    "e\u0301",
    "\u0301",
    "İ",
    "ẞ",
    "ǅ",
    "Σ",
    "\r\n",
    "\n",
    "\n\n",
    "\n\n\n",
    "  ",
    "\t",
    "Find this resource:",
    "LSE - Small Logo",
    "Leave a Reply",
    "Une image contenant texte",
    "x" * 300,
    "Ã©",
    "🙂",
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), min_size=1, max_size=60).map(
    " ".join
) | st.lists(st.sampled_from(PIECES), min_size=1, max_size=80).map("".join)
SITES = ["blog", "lse_blogs", "springer", "oxford_research_encyclopedia", "medium"]


def run(raw: str, site: str):
    src = {
        "doc_id": "gen",
        "source_file": "gen.txt",
        "site": site,
        "genre": "essay",
        "language": "en",
        "doi": None,
        "url": None,
    }
    return process_document(src, raw, CFG.rules, CFG.profile(site), hashlib.sha256(raw.encode()).hexdigest())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=texts, site=st.sampled_from(SITES))
def test_cleaner_and_splitter_invariants(raw, site):
    try:
        res = run(raw, site)
    except InputError as err:
        assert "nothing but noise" in str(err)
        return
    text = res.document.text
    # the audit balances: kept raw spans + audit spans tile the raw text exactly once, and rebuild the clean text
    pos = 0
    edits = []
    for r in sorted(res.removed, key=lambda r: r.raw_start):
        assert pos <= r.raw_start <= r.raw_end <= len(raw)
        assert raw[r.raw_start : r.raw_end] == r.text
        assert text[r.clean_offset : r.clean_offset + len(r.replacement)] == r.replacement
        pos = r.raw_end
        edits.append(r)
    from irbc.core.records import Edit

    assert (
        apply_edits(raw, [Edit(r.raw_start, r.raw_end, r.replacement, r.reason, r.action) for r in edits])
        == text
    )
    # spans in bounds and equal to their text
    assert res.sections and res.sections[0].start == 0 and res.sections[-1].end == len(text)
    for a, b in zip(res.sections, res.sections[1:], strict=False):
        assert b.start == a.end + 2
    for p in res.paragraphs:
        assert 0 <= p.start < p.end <= len(text) and text[p.start : p.end] == p.text
        assert 0 <= p.raw_start < p.raw_end <= len(raw)
    for n in res.notes:
        assert 0 <= n.start <= n.end <= len(text) and text[n.start : n.end] == n.text
        for c in n.callouts:
            assert 0 <= c.start < c.end <= len(text)
    assert "\u00a0" not in text and "\n\n\n" not in text
    assert not text.startswith((" ", "\n")) and not text.endswith((" ", "\n"))


@settings(max_examples=300, deadline=None)
@given(raw=texts)
def test_tagger_spans_in_bounds_and_surface_matches(raw):
    for s, e, cid in TAGGER.tag(raw):
        assert 0 <= s < e <= len(raw)
        assert raw[s:e].lower() == raw[s:e].lower()  # span is a real slice
        assert cid in {c for c in TAGGER_FORMS.values()}


TAGGER_FORMS = load_codebook(schema_dir() / "codebook.yaml").form_to_concept


@settings(max_examples=300, deadline=None)
@given(text=texts, data=st.data())
def test_anchor_resolves_any_substring(text, data):
    i = data.draw(st.integers(0, max(0, len(text) - 1)))
    j = data.draw(st.integers(i + 1, len(text))) if text else 1
    quote = text[i:j]
    if not quote:
        return
    n = text.count(quote)  # non-overlapping count is a lower bound; anchor counts overlapping hits
    try:
        s, e = anchor(text, quote, None, "gen.yaml", 1)
    except InputError as err:
        assert "add `occurrence`" in str(err)
        return
    assert text[s:e] == quote and n == 1


@pytest.mark.parametrize("raw", ["\n\n\n", "   ", "LSE - Small Logo\n"])
def test_nothing_but_noise_is_a_clear_error(raw):
    with pytest.raises(InputError, match="nothing but noise"):
        run(raw, "lse_blogs")
