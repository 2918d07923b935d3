"""``lexicon_v1``: codebook surface forms tagged with one Aho–Corasick automaton (case-insensitive,
word-bounded, leftmost-longest, non-overlapping) over the whole document."""

from __future__ import annotations

import unicodedata
from typing import Any

import ahocorasick

from irbc.annotators.anchoring import Units, mention_row, unit_at
from irbc.annotators.codebook import Codebook
from irbc.annotators.registry import Annotation, Annotator, DocInput, register

LEXICON = "lexicon_v1"


def fold(text: str) -> str:
    """Lower-case ``text`` character by character, keeping its length (a character whose lower-case form
    has another length is kept as is), so offsets in the folded text are offsets in the original."""
    out = text.lower()
    if len(out) == len(text):
        return out
    return "".join(lc if len(lc := ch.lower()) == 1 else ch for ch in text)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch) == "Mn"


class Tagger:
    """Codebook surface forms compiled into one Aho–Corasick automaton: case-insensitive, word-bounded,
    leftmost-longest, non-overlapping."""

    name = LEXICON

    def __init__(self, codebook: Codebook) -> None:
        self.auto = ahocorasick.Automaton()
        for form, cid in codebook.form_to_concept.items():
            self.auto.add_word(form, (len(form), cid))
        self.auto.make_automaton()

    def tag(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        end = len(text) if end is None else end
        seg = fold(text[start:end])
        cands = []
        for last, (n, cid) in self.auto.iter(seg):
            s = last - n + 1
            e = last + 1
            if s > 0 and _is_word(seg[s - 1]):
                continue
            if e < len(seg) and _is_word(seg[e]):
                continue
            cands.append((s, -n, cid))
        cands.sort()
        out = []
        pos = 0
        for s, negn, cid in cands:
            if s >= pos:
                out.append((start + s, start - negn + s, cid))
                pos = s - negn
        return out


def lexicon_mentions(doc_id: str, text: str, units: Units, tagger: Tagger) -> list[dict[str, Any]]:
    """Tag the whole document once, then attach each mention to the paragraph or note that contains it.
    Surface forms contain no line break, so no mention crosses the blank line between two units; a match
    outside every unit (in a printed note label) is not a mention."""
    rows = []
    for s, e, cid in tagger.tag(text):
        u = unit_at(units, s, e)
        if u is not None:
            rows.append(mention_row(doc_id, units, u, s, e, text, cid, LEXICON))
    return rows


@register
class LexiconAnnotator(Annotator):
    """Every codebook surface form in every paragraph and note."""

    name = LEXICON
    table = "concept_mentions"
    description = (
        "automatic: every surface form of the codebook (Aho–Corasick, case-insensitive, word-bounded, longest "
        "match first) in every paragraph and note, unreviewed"
    )
    automatic = True

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        self.tagger = Tagger(env.codebook)

    def annotate(self, doc: DocInput, earlier: dict[str, list[dict[str, Any]]]) -> Annotation:
        return Annotation(lexicon_mentions(doc.doc_id, doc.text, doc.units, self.tagger))
