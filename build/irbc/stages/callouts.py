"""The callouts stage: in-text callouts linked to their notes ("[n]" markers by a declared pattern, or
author-year citations matched against reference entries)."""

from __future__ import annotations

import re
from typing import Any

from irbc.core.io import fold_diacritics
from irbc.core.records import Callout, Diagnostic, Note, Paragraph
from irbc.stages.rules import compile_declared

AUTHOR_YEAR = re.compile(
    r"(?P<names>[A-Z][\w’'\-]+(?:(?:,\s*|\s+(?:&|and)\s+|,\s*&\s*)[A-Z][\w’'\-]+)*(?:\s+et al\.)?)"
    r"(?:’s?)?,?\s*\(?(?P<years>\d{4}(?:/\d{4})?[a-z]?(?:,\s*\d{4}[a-z]?)*)"
)


def link_callouts(
    doc_id: str, prof: dict[str, Any], paragraphs: list[Paragraph], notes: list[Note], text: str
) -> tuple[dict[str, list[Callout]], list[Diagnostic]]:
    """Callouts per note id, and a diagnostic for every marker that names no note."""
    spec = prof.get("callouts") or {}
    if spec.get("pattern"):
        return _marker_callouts(doc_id, compile_declared(spec["pattern"]), paragraphs, notes, text)
    if spec.get("author_year"):
        return _author_year_callouts(paragraphs, notes, text), []
    return {n.note_id: [] for n in notes}, []


def _marker_callouts(
    doc_id: str, rx: Any, paragraphs: list[Paragraph], notes: list[Note], text: str
) -> tuple[dict[str, list[Callout]], list[Diagnostic]]:
    """The declared callout pattern (RE2) is searched in each paragraph's text."""
    found: dict[str, list[Callout]] = {n.note_id: [] for n in notes}
    diags: list[Diagnostic] = []
    by_label = {n.label: n.note_id for n in notes}
    for p in paragraphs:
        for m in rx.finditer(text[p.start : p.end]):
            start, end = p.start + m.start(), p.start + m.end()
            nid = by_label.get(m.group())
            if nid is None:
                msg = f"callout {m.group()} in {p.paragraph_id} has no note"
                diags.append(Diagnostic(doc_id, "callout_without_note", msg, start, end))
            else:
                found[nid].append(Callout(start, end, p.paragraph_id))
    return found, diags


def _ref_key(note: Note) -> tuple[list[str], str] | None:
    """(surnames, year) of a reference entry such as 'He, K., & Feng, H. (2008). ...'."""
    assert note.text is not None
    m = re.match(r"(?P<authors>.+?)\s*\((?P<year>\d{4}(?:/\d{4})?[a-z]?)\)", note.text)
    if not m:
        return None
    names = re.findall(
        r"(?:^|&\s*|,\s+(?=[A-Z][\w’'\-]+,))([A-Z][\w’'\-]+(?:-[A-Z][\w’'\-]+)?),", m.group("authors")
    )
    return names, m.group("year")


def _reference_keys(notes: list[Note]) -> dict[tuple[str, str], list[str]]:
    """Lookup keys of the reference entries: (first surname, year), (sole surname+, year) and
    (first+second surname, year)."""
    keys: dict[tuple[str, str], list[str]] = {}
    for n in notes:
        k = _ref_key(n)
        if not (k and k[0]):
            continue
        names, year = [fold_diacritics(x) for x in k[0]], k[1]
        keys.setdefault((names[0], year), []).append(n.note_id)
        if len(names) == 1:
            keys.setdefault((names[0] + "+", year), []).append(n.note_id)
        if len(names) >= 2:
            keys.setdefault((names[0] + "+" + names[1], year), []).append(n.note_id)
    return keys


def _candidates(keys: dict[tuple[str, str], list[str]], names: list[str], year: str) -> list[str]:
    folded = [fold_diacritics(n) for n in names]
    cands: list[str] = []
    if len(folded) >= 2:
        cands = keys.get((folded[0] + "+" + folded[1], year), [])
    if not cands and len(folded) == 1:
        cands = keys.get((folded[0] + "+", year), [])
    return cands or keys.get((folded[0], year), [])


def _author_year_callouts(
    paragraphs: list[Paragraph], notes: list[Note], text: str
) -> dict[str, list[Callout]]:
    found: dict[str, list[Callout]] = {n.note_id: [] for n in notes}
    keys = _reference_keys(notes)
    for p in paragraphs:
        for m in AUTHOR_YEAR.finditer(text, p.start, p.end):
            names = re.split(r",\s*&\s*|\s+(?:&|and)\s+|,\s*", m.group("names").replace(" et al.", ""))
            names = [n for n in names if n]
            for y in re.findall(r"\d{4}(?:/\d{4})?[a-z]?", m.group("years")):
                cands = _candidates(keys, names, y)
                if len(cands) == 1:
                    found[cands[0]].append(Callout(m.start(), m.end(), p.paragraph_id))
    return found
