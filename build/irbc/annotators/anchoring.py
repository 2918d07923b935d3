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
    """The paragraphs and notes of one document in text order, with their start offsets for bisection."""

    def __init__(self, items: list[Unit]) -> None:
        super().__init__(sorted(items, key=lambda u: u.start))
        self.starts = [u.start for u in self]


def units_of(paragraphs: list[Any], notes: list[Any]) -> Units:
    us = [Unit("paragraph", p.paragraph_id, p.section_id, p.start, p.end, True) for p in paragraphs]
    us += [Unit("note", n.note_id, n.section_id, n.start, n.end, False) for n in notes]
    return Units(us)


def unit_at(units: Units, start: int, end: int) -> Unit | None:
    i = bisect.bisect_right(units.starts, start) - 1
    if i >= 0 and units[i].start <= start and end <= units[i].end:
        return units[i]
    return None


def mention_row(doc_id: str, u: Unit, s: int, e: int, text: str, cid: str, annotator: str) -> dict[str, Any]:
    return {
        "mention_id": f"{doc_id}-{annotator}-{s}-{e}",
        "doc_id": doc_id,
        "section_id": u.section_id,
        "paragraph_id": u.id if u.kind == "paragraph" else None,
        "note_id": u.id if u.kind == "note" else None,
        "start": s,
        "end": e,
        "surface": text[s:e],
        "concept_id": cid,
        "annotator": annotator,
    }
