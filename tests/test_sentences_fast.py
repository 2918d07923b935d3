"""Issue 18: the fast sentence splitter gives spaCy's sentences. ``FastSentences`` tokenizes only the chunks that
can decide a sentence start; ``SpacySentences`` runs spaCy's tokenizer and sentencizer on the whole text. They
must agree on every paragraph and note of the corpus and on generated texts built from the characters where
tokenization is hard (periods, quotes, brackets, abbreviations, initials, numbers, mixed whitespace)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, table
from irbc.stages.read import load_corpus_config
from irbc.stages.sentences import FastSentences, SpacySentences


def _abbreviations() -> tuple[str, ...]:
    cfg = load_corpus_config(CORPUS)
    found = {
        tuple(cfg.profile(s["site"]).get("sentences", {}).get("abbreviations") or ()) for s in cfg.sources
    }
    assert len(found) == 1  # every site shares the defaults' list
    return found.pop()


ABBREVIATIONS = _abbreviations()
FAST, SPACY = FastSentences(ABBREVIATIONS), SpacySentences(ABBREVIATIONS)


def test_the_corpus_units_split_alike(release: Path) -> None:
    texts = {d["doc_id"]: d["text"] for d in table(release, "documents")}
    units = [
        texts[u["doc_id"]][u["start"] : u["end"]] for t in ("paragraphs", "notes") for u in table(release, t)
    ]
    assert len(units) > 400
    differ = [u[:80] for u in units if FAST(u) != SPACY(u)]
    assert differ == []
    assert sum(len(SPACY(u)) for u in units) > len(units)  # many units have several sentences


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "One. Two.",
        "One.  Two.",  # two spaces: a whitespace token starts the sentence
        "One.\nTwo.\n",
        'He said "no." Then left.',
        "See vol. 3, pp. 4–5. Next (cf. p. 2). Done!",
        "U.S. policy. George W. Bush spoke.",
        "The end.) (Next starts here?) Yes… no",
        " Leading space. And trailing.  ",
        "3.5 per cent. 1990s. e.g. this",
        "Why?!\u00a0Because. 。日本語。 Another",
        "Ends with a period.",
        "a. b. c.d. e.. f...g",
        "(Smith 2005: p. 10). Next one",
        ": p.Ux?!",
        "See: p.Ux here",
    ],
)
def test_hard_cases_split_alike(text: str) -> None:
    assert FAST(text) == SPACY(text)


def test_the_two_differ_from_a_naive_split() -> None:
    """The comparison can fail: two spaces after a period make a sentence start at the whitespace token, which
    trimming moves to the next word, while "vol." makes none."""
    assert SPACY("Read vol. 3 now.  Then stop.") == [(0, 16), (18, 28)]
    assert FAST("Read vol. 3 now.  Then stop.") == [(0, 16), (18, 28)]


def test_a_special_case_across_a_space_goes_to_spacy() -> None:
    """spaCy matches ":p" across the space, which keeps "p" and "." of "p.S." apart, so that period ends a
    sentence; the chunk-by-chunk walk alone would not see it (this is why such texts go to spaCy)."""
    text = "Look: p.S. Then"
    assert SPACY(text) == [(0, 8), (8, 15)]
    assert FAST(text) == SPACY(text)
    assert FAST.starts(text) == [0]  # what the walk alone gives: one sentence


_ALPHABET = [*"aAbeglmnopvsuxSU.,;:!?'\"()[]-–…0123456789", " ", " ", " ", "  ", "\n", "\u00a0", "\t"]
_WORDS = [*ABBREVIATIONS, "e.g.", "i.e.", "U.S.", "Mr.", "a.m.", "10am", "don't", ":)", "St.", "W."]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(_ALPHABET), st.sampled_from(_WORDS)), max_size=60))
def test_generated_texts_split_alike(parts: list[str]) -> None:
    text = "".join(parts)
    assert FAST(text) == SPACY(text)
