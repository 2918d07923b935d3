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
    r"(?:’s?)?(?:\s+[a-z]+(?=\s*\())?,?\s*\(?(?P<years>\d{4}(?:/\d{4})?[a-z]?(?:,\s*\d{4}[a-z]?)*)"
    r"(?:,\s*(?P<locator>pp?\.\s*\d+(?:\s*[–\-]\s*\d+)?))?"
)
# "(2005, p. 10)": a year and a page with no name before them
BACK_REFERENCE = re.compile(r"\((?P<year>\d{4}[a-z]?),\s*(?P<locator>pp?\.\s*\d+(?:\s*[–\-]\s*\d+)?)\)")


def link_callouts(
    doc_id: str, prof: dict[str, Any], paragraphs: list[Paragraph], notes: list[Note], text: str
) -> tuple[dict[str, list[Callout]], list[Diagnostic]]:
    """Callouts per note id, and a diagnostic for every marker that names no note."""
    spec = prof.get("callouts") or {}
    if spec.get("pattern"):
        return _marker_callouts(doc_id, compile_declared(spec["pattern"]), paragraphs, notes, text)
    if spec.get("author_year"):
        return _author_year_callouts(paragraphs, notes, text, bool(spec.get("back_references"))), []
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


def _candidates(keys: dict[tuple[str, str], list[str]], names: list[str], year: str) -> tuple[list[str], int]:
    """The reference entries a run of capitalised words before a year names. The citation is the run's tail:
    "First, Pape (2005)" cites Pape, "He and Feng, Saltzman (2012" cites Saltzman; the longest tail that names
    an entry wins (two names: the entry of those two authors; one name: a sole author, else a first author).
    Returns the entries and the index of the name the citation starts with."""
    folded = [fold_diacritics(n) for n in names]
    for i in range(len(folded)):
        tail = folded[i:]
        cands: list[str] = []
        if len(tail) >= 2:
            cands = keys.get((tail[0] + "+" + tail[1], year), [])
        elif len(tail) == 1:
            cands = keys.get((tail[0] + "+", year), []) or keys.get((tail[0], year), [])
        if cands:
            return cands, i
    return (keys.get((folded[0], year), []) if folded else []), 0


def _author_year_callouts(
    paragraphs: list[Paragraph], notes: list[Note], text: str, back_references: bool
) -> dict[str, list[Callout]]:
    """Author–year citations linked to reference entries (one link per year: "(Walt, 2005, 2006)" is one
    callout with two links); the page locator goes with the last year. With ``back_references``, a bare
    "(2005, p. 10)" links to the entry the paragraph (or the text before it) last cited with that year."""
    found: dict[str, list[Callout]] = {n.note_id: [] for n in notes}
    keys = _reference_keys(notes)
    last_by_year: dict[str, str] = {}
    for p in paragraphs:
        spans = []
        for m in AUTHOR_YEAR.finditer(text, p.start, p.end):
            spans.append((m.start(), m.end()))
            words = list(re.finditer(r"[A-Z][\w’'\-]+", m.group("names").replace(" et al.", "")))
            names = [w.group() for w in words]
            years = re.findall(r"\d{4}(?:/\d{4})?[a-z]?", m.group("years"))
            for k, y in enumerate(years):
                cands, first = _candidates(keys, names, y)
                if len(cands) == 1:
                    loc = m.group("locator") if k == len(years) - 1 else None
                    start = m.start() + words[first].start()
                    found[cands[0]].append(Callout(start, m.end(), p.paragraph_id, loc))
                    last_by_year[y] = cands[0]
        if back_references:
            _back_references(text, p, spans, last_by_year, found)
    return found


def _back_references(
    text: str,
    p: Paragraph,
    spans: list[tuple[int, int]],
    last: dict[str, str],
    found: dict[str, list[Callout]],
) -> None:
    for m in BACK_REFERENCE.finditer(text, p.start, p.end):
        if any(s <= m.start() < e for s, e in spans):
            continue
        nid = last.get(m.group("year"))
        if nid is not None:
            found[nid].append(Callout(m.start(), m.end(), p.paragraph_id, m.group("locator")))
            found[nid].sort(key=lambda c: c.start)
