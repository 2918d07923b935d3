"""Stand-off anchoring: verbatim quotes resolved to offsets in the clean text, and the paragraphs and notes
(units) a span lies in. Every stored surface or quote equals ``text[start:end]``."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from irbc.core.errors import InputError


def anchor(
    text: str,
    quote: str,
    occurrence: int | None,
    file: str,
    line: int | None,
    lo: int = 0,
    hi: int | None = None,
) -> tuple[int, int]:
    """Resolve a verbatim quote to (start, end). Not found, or found more than once without an occurrence
    index, is an error naming the file and line."""
    place = f"line {line}" if line else None
    hi = len(text) if hi is None else hi
    hits = []
    i = text.find(quote, lo, hi)
    while i != -1:
        hits.append(i)
        i = text.find(quote, i + 1, hi)
    if not hits:
        raise InputError(file, place, f"quote not found in the clean text: {quote[:80]!r}")
    if occurrence is None:
        if len(hits) > 1:
            raise InputError(file, place, f"quote found {len(hits)} times; add `occurrence`: {quote[:80]!r}")
        return hits[0], hits[0] + len(quote)
    if occurrence > len(hits):
        raise InputError(
            file, place, f"occurrence {occurrence} requested but the quote occurs {len(hits)} times"
        )
    return hits[occurrence - 1], hits[occurrence - 1] + len(quote)


@dataclass(frozen=True)
class Unit:
    kind: str  # "paragraph" | "note"
    id: str
    section_id: str
    start: int
    end: int
    main: bool  # a main-text paragraph (not a note)


class Units(list[Unit]):
    """The paragraphs and notes of one document in text order, with their start offsets for bisection, and the
    document's sentences (start, end, sentence_id) in text order."""

    def __init__(self, items: list[Unit], sentences: list[tuple[int, int, str]] | None = None) -> None:
        super().__init__(sorted(items, key=lambda u: u.start))
        self.starts = [u.start for u in self]
        self.sentences = sorted(sentences or [])
        self.sentence_starts = [s for s, _, _ in self.sentences]


def units_of(paragraphs: list[Any], notes: list[Any], sentences: list[Any] | None = None) -> Units:
    us = [Unit("paragraph", p.paragraph_id, p.section_id, p.start, p.end, True) for p in paragraphs]
    us += [Unit("note", n.note_id, n.section_id, n.start, n.end, False) for n in notes]
    return Units(us, [(x.start, x.end, x.sentence_id) for x in sentences or []])


def sentence_at(units: Units, start: int, end: int) -> str | None:
    """The id of the sentence that contains [start, end), or None (the span crosses a sentence boundary, or the
    document has no sentences)."""
    i = bisect.bisect_right(units.sentence_starts, start) - 1
    if i >= 0 and units.sentences[i][0] <= start and end <= units.sentences[i][1]:
        return units.sentences[i][2]
    return None


def sentences_over(units: Units, start: int, end: int) -> list[str]:
    """The ids of the sentences that [start, end) overlaps, in text order."""
    i = max(bisect.bisect_right(units.sentence_starts, start) - 1, 0)
    out = []
    while i < len(units.sentences) and units.sentences[i][0] < end:
        _, e, sid = units.sentences[i]
        if e > start:
            out.append(sid)
        i += 1
    return out


def unit_at(units: Units, start: int, end: int) -> Unit | None:
    i = bisect.bisect_right(units.starts, start) - 1
    if i >= 0 and units[i].start <= start and end <= units[i].end:
        return units[i]
    return None


def mention_row(
    doc_id: str, units: Units, u: Unit, s: int, e: int, text: str, cid: str, annotator: str
) -> dict[str, Any]:
    """A concept_mentions row; the mention must lie inside one sentence (a surface form has no sentence end
    in it: a mention that crosses a boundary means a missing declared abbreviation, or a wrong quote)."""
    sid = sentence_at(units, s, e)
    if sid is None:
        raise InputError(
            doc_id,
            f"offsets {s}-{e}",
            f"{annotator} mention {text[s:e]!r} crosses a sentence boundary (a missing abbreviation in "
            "profiles.yaml sentences.abbreviations?)",
        )
    return {
        "mention_id": f"{doc_id}-{annotator}-{s}-{e}",
        "doc_id": doc_id,
        "section_id": u.section_id,
        "paragraph_id": u.id if u.kind == "paragraph" else None,
        "note_id": u.id if u.kind == "note" else None,
        "sentence_id": sid,
        "start": s,
        "end": e,
        "surface": text[s:e],
        "concept_id": cid,
        "annotator": annotator,
    }
