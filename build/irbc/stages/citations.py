"""The citations stage (``citations_v1``): every work cited in a note or reference entry as one ``citations``
row, its fields copied as printed (``stages.citation_fields``). A note citing several works ("See X; Y. Also see
Z") gives several rows, a pure comment none; "Ibid." and short forms ("Walt, The Origins of Alliances, p. 29")
point to the earlier full citation of the same work when the document gives one. Which style a site's notes
follow is declared in its profile (``citations: {style: notes | references}``, corpus/profiles.yaml)."""

from __future__ import annotations

import re
from typing import Any

from irbc.core.io import fold_diacritics
from irbc.core.records import Citation, Note
from irbc.stages.citation_fields import Fields, parse_note_citation, parse_reference, surname

CITATIONS = "citations_v1"
# a sentence inside a note starts a new citation or comment: ". " (or ".” ") then a capital
SENTENCE = re.compile(r"\.”?\s+(?=[A-Z“‘])")
ABBREVIATIONS = {"p", "pp", "vol", "no", "ed", "eds", "rev", "chap", "a", "st", "dr", "mr", "mrs", "ms", "cf"}
# a ";" starts a new citation when a name, a quotation or a lead-in follows (inside a parenthesis too: some
# notes leave one open)
NEXT_CITATION = re.compile(
    r";\s+(?:[“‘]|[A-ZÀ-ÖØ-Þ][\w.’\-]*(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w.’\-]*|and))*,|(?:For|On|See|Also|and)\s)"
)
LEAD_IN = re.compile(r"^(?:[^“‘(:\d]{0,160}?\b[Ss]ee\b,?\s+(?:for example,?\s+)?|and\s+)")


def _sentence_end(text: str, i: int) -> re.Match[str] | None:
    """The break after the sentence ending at ``text[i]`` (a period, "?" or "!"), if it is one."""
    m = SENTENCE.match(text, i)
    if m is None:
        return None
    word = re.search(r"(\S*)$", text[:i])
    w = (word.group(1) if word else "").strip("()[]“”‘’")
    if (
        len(w) < 2
        or w.lower() in ABBREVIATIONS
        or re.search(r"\.[A-Za-z]$", w)
        or (word and word.group(1)[-1:] in "”’")
    ):
        return None
    return m


_MARKS = re.compile(r"[‘’()“”;.]")
_LEAD_IN_AFTER = re.compile(r"\S+\s+(?:Also|See|On|For)\b")


def _segments(text: str) -> list[tuple[int, int]]:
    """Spans of the parts of a note between ";" and sentence breaks outside parentheses and “quotations”."""
    cuts, depth, quote = [0], 0, False
    for mark in _MARKS.finditer(text):  # every other character changes nothing below
        i, ch = mark.start(), mark.group()
        if ch == "‘" and (i == 0 or not text[i - 1].isalpha()):
            quote = True
        elif ch == "’" and quote and (i + 1 == len(text) or not text[i + 1].isalpha()):
            quote = False
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == "“":
            quote = True
        elif ch == "”":
            quote = False
            if text[i - 1] == "." and (m := _sentence_end(text, i - 1)) and m.end() > i:
                cuts += [i + 1, m.end()]
        elif quote:
            continue
        elif ch == ";" and NEXT_CITATION.match(text, i):
            cuts += [i, i + 1]
            depth = 0
        elif ch == "." and (m := _sentence_end(text, i)) and (depth == 0 or _LEAD_IN_AFTER.match(text, i)):
            cuts += [i + 1, m.end()]
            depth = 0
    cuts.append(len(text))
    return [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2) if text[cuts[k] : cuts[k + 1]].strip()]


def _body(text: str, s: int, e: int) -> tuple[int, int]:
    """The citation inside a segment: lead-in phrases ("See, for example,", "On X, see") and leading
    lower-case words ("my chapter") dropped, trailing punctuation and space trimmed."""
    while s < e and text[s].isspace():
        s += 1
    seg = text[s:e]
    m = LEAD_IN.match(seg)
    if m and "“" not in m.group() and "‘" not in m.group():
        s += m.end()
    while w := re.match(r"[a-z][\w’]*\s+", text[s:e]):
        s += w.end()
    while e > s and text[e - 1] in " \t\n.;":
        e -= 1
    while s < e and text[s] in " \t\n,":
        s += 1
    return s, e


def _short_form_of(f: Fields, earlier: list[tuple[Citation, Fields]]) -> Citation | None:
    """The earlier full citation a short form names: same surname, and a title that begins alike."""
    if not f.authors or not f.title:
        return None
    sur = fold_diacritics(surname(f.authors[0]) or "").lower()
    head = " ".join(fold_diacritics(f.title).lower().split()[:3])
    for c, _ in reversed(earlier):
        if not c.title or not c.first_author_surname:
            continue
        if fold_diacritics(c.first_author_surname).lower() == sur and (
            fold_diacritics(c.title).lower().startswith(head)
        ):
            return c
    return None


def _resolve(body: str, f: Fields, earlier: list[tuple[Citation, Fields]]) -> tuple[bool, str | None, Fields]:
    """(ibid, refers_to, fields): "Ibid.", "Name, ibid." and short forms (no year printed)."""
    if re.fullmatch(r"(?:.*,\s*)?[Ii]bid\.?", body):
        prev = [c for c, _ in earlier if not c.ibid]
        sur = surname(f.authors[0]) if f.authors else None
        hits = [c for c in prev if sur is None or c.first_author_surname == sur]
        return True, (hits[-1].citation_id if hits else None), f
    if f.year is not None:
        return False, None, f
    full = _short_form_of(f, earlier)
    one_word = f.authors is not None and len(f.authors) == 1 and " " not in f.authors[0]
    if full is None and not one_word:
        return False, None, f
    if full is not None and full.ibid:  # a short form of a short form: the same work, the same full citation
        f.kind = full.kind
        return True, full.refers_to, f
    f.kind = full.kind if full is not None else "other"
    return True, (full.citation_id if full is not None else None), f


def _ibid_fields(body: str) -> Fields | None:
    m = re.fullmatch(r"(?:(?P<a>[^,]+),\s*)?[Ii]bid\.?", body)
    if not m:
        return None
    return Fields(authors=[m["a"].strip()] if m["a"] else None)


def _row(note: Note, k: int, pos: int, s: int, e: int, f: Fields, ibid: bool, ref: str | None) -> Citation:
    first = surname(f.authors[0]) if f.authors else None
    return Citation(
        f"{note.note_id}-c{k}", note.doc_id, note.note_id, pos, s, e, f.authors, first, f.year, f.title,
        f.container, f.volume, f.issue, f.pages, f.kind, f.locator, ibid, ref, CITATIONS,
    )  # fmt: skip


def _note_citations(
    note: Note, text: str, style: str, pos: int, earlier: list[tuple[Citation, Fields]]
) -> None:
    if style == "references":
        f = parse_reference(text[note.start : note.end])
        if f is not None:
            earlier.append((_row(note, 0, pos, note.start, note.end, f, False, None), f))
        return
    k = 0
    for s, e in _segments(text[note.start : note.end]):
        bs, be = _body(text, note.start + s, note.start + e)
        body = text[bs:be]
        f = _ibid_fields(body) or parse_note_citation(body)
        if f is None:
            continue
        ibid, ref, f = _resolve(body, f, earlier)
        earlier.append((_row(note, k, pos + k, bs, be, f, ibid, ref), f))
        k += 1


def citation_records(prof: dict[str, Any], notes: list[Note], text: str) -> list[Citation]:
    """The citations of a document's notes, in order; none when its profile declares no citation style."""
    spec = prof.get("citations") or {}
    style = spec.get("style")
    if not style:
        return []
    found: list[tuple[Citation, Fields]] = []
    for n in notes:
        _note_citations(n, text, style, len(found), found)
    return [c for c, _ in found]
