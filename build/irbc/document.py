"""The per-document stage: raw text -> Document, sections, paragraphs, notes, audit, diagnostics.

A pure function of (source entry, raw text, compiled rules, profile): no I/O, no global state.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .clean import KView, apply_edits, build_kview, k_ops_to_edits, normalise_block, split_blocks
from .errors import InputError
from .io import fold_diacritics
from .records import Callout, Diagnostic, Document, Edit, Note, Paragraph, Removed, Section
from .rules import Claims, Rule, apply_rules
from .structure import Unit, assemble, build_units

PARAGRAPH_KIND = {
    "title": "heading",
    "heading": "heading",
    "paragraph": "paragraph",
    "list_item": "list_item",
    "quotation": "quotation",
}

AUTHOR_YEAR = re.compile(
    r"(?P<names>[A-Z][\w’'\-]+(?:(?:,\s*|\s+(?:&|and)\s+|,\s*&\s*)[A-Z][\w’'\-]+)*(?:\s+et al\.)?)"
    r"(?:’s?)?,?\s*\(?(?P<years>\d{4}(?:/\d{4})?[a-z]?(?:,\s*\d{4}[a-z]?)*)"
)


@dataclass
class DocResult:
    document: Document
    sections: list[Section]
    paragraphs: list[Paragraph]
    notes: list[Note]
    removed: list[Removed]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _iso_date(value: str, file: str, rule: str) -> str:
    v = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value.strip())
    for fmt in ("%B %d, %Y", "%d %B %Y", "%Y-%m-%d", "%Y"):
        try:
            dt = datetime.strptime(v, fmt)
        except ValueError:
            continue
        return str(dt.year) if fmt == "%Y" else dt.date().isoformat()
    raise InputError(file, f"rule {rule}", f"cannot read a date from {value!r}")


def _k_at_raw(kv: KView, raw_pos: int) -> int:
    i = bisect.bisect_right(kv.seg_raw, raw_pos) - 1
    if i < 0:
        return 0
    seg_len = (kv.seg_k[i + 1] if i + 1 < len(kv.seg_k) else len(kv.text)) - kv.seg_k[i]
    return kv.seg_k[i] + min(raw_pos - kv.seg_raw[i], seg_len)


def _sections(units: list[Unit], prof: dict[str, Any]) -> tuple[list[dict[str, Any]], list[int]]:
    """Group units into sections; returns section dicts (with unit index lists) and unit->section map."""
    heading_kinds = [(re.compile(h["pattern"], re.I), h["kind"]) for h in prof["heading_kinds"]]
    secs: list[dict[str, Any]] = []
    owner: list[int] = []
    last_l1_kind = "body"
    first_untitled_done = False
    for i, u in enumerate(units):
        new: dict[str, Any] | None = None
        if u.kind == "title":
            new = {"heading": u.text, "level": 0, "kind": "title"}
        elif u.kind == "note":
            if not secs or secs[-1]["kind"] not in ("notes", "references"):
                new = {"heading": None, "level": 1, "kind": prof["notes"]["section_kind"]}
        elif u.kind == "heading":
            kind = next((k for rx, k in heading_kinds if rx.search(u.text)), None)
            if kind is None:
                kind = last_l1_kind if u.level >= 2 else "body"
            if u.level <= 1:
                last_l1_kind = kind
            new = {"heading": u.text, "level": u.level, "kind": kind}
        elif secs and secs[-1]["kind"] == "title":
            kind = prof["first_section_kind"] if not first_untitled_done else "body"
            first_untitled_done = True
            new = {"heading": None, "level": 1, "kind": kind}
            last_l1_kind = kind
        elif u.section_break:
            new = {"heading": None, "level": 1, "kind": "body"}
            last_l1_kind = "body"
        if new is not None or not secs:
            new = new or {"heading": None, "level": 1, "kind": "body"}
            new["units"] = []
            secs.append(new)
        secs[-1]["units"].append(i)
        owner.append(len(secs) - 1)
    return secs, owner


def _callouts(
    doc_id: str, prof: dict[str, Any], paragraphs: list[Paragraph], notes: list[Note], text: str
) -> tuple[dict[str, list[Callout]], list[Diagnostic]]:
    spec = prof.get("callouts") or {}
    found: dict[str, list[Callout]] = {n.note_id: [] for n in notes}
    diags: list[Diagnostic] = []
    if spec.get("pattern"):
        by_label = {n.label: n.note_id for n in notes}
        rx = re.compile(spec["pattern"])
        for p in paragraphs:
            for m in rx.finditer(text, p.start, p.end):
                nid = by_label.get(m.group())
                if nid is None:
                    diags.append(
                        Diagnostic(
                            doc_id,
                            "callout_without_note",
                            f"callout {m.group()} in {p.paragraph_id} has no note",
                            m.start(),
                            m.end(),
                        )
                    )
                else:
                    found[nid].append(Callout(m.start(), m.end(), p.paragraph_id))
    elif spec.get("author_year"):
        found, diags = _author_year_callouts(doc_id, paragraphs, notes, text)
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


def _author_year_callouts(
    doc_id: str, paragraphs: list[Paragraph], notes: list[Note], text: str
) -> tuple[dict[str, list[Callout]], list[Diagnostic]]:
    found: dict[str, list[Callout]] = {n.note_id: [] for n in notes}
    keys: dict[tuple[str, str], list[str]] = {}
    for n in notes:
        k = _ref_key(n)
        if k and k[0]:
            keys.setdefault((fold_diacritics(k[0][0]), k[1]), []).append(n.note_id)
            if len(k[0]) == 1:
                keys.setdefault((fold_diacritics(k[0][0]) + "+", k[1]), []).append(n.note_id)
            if len(k[0]) >= 2:
                keys.setdefault((fold_diacritics(k[0][0]) + "+" + fold_diacritics(k[0][1]), k[1]), []).append(
                    n.note_id
                )
    diags: list[Diagnostic] = []
    for p in paragraphs:
        for m in AUTHOR_YEAR.finditer(text, p.start, p.end):
            names = re.split(r",\s*&\s*|\s+(?:&|and)\s+|,\s*", m.group("names").replace(" et al.", ""))
            names = [n for n in names if n]
            years = re.findall(r"\d{4}(?:/\d{4})?[a-z]?", m.group("years"))
            for y in years:
                cands = []
                if len(names) >= 2:
                    cands = keys.get((fold_diacritics(names[0]) + "+" + fold_diacritics(names[1]), y), [])
                if not cands and len(names) == 1:
                    cands = keys.get((fold_diacritics(names[0]) + "+", y), [])
                if not cands:
                    cands = keys.get((fold_diacritics(names[0]), y), [])
                if len(cands) == 1:
                    found[cands[0]].append(Callout(m.start(), m.end(), p.paragraph_id))
    return found, diags


def process_document(
    source: dict[str, Any], raw: str, rules: list[Rule], prof: dict[str, Any], raw_sha256: str
) -> DocResult:
    doc_id, file = source["doc_id"], source["source_file"]
    applicable = [r for r in rules if r.applies(doc_id, source["site"])]
    claims = Claims()
    rule_edits, meta, marks = apply_rules(raw, applicable, claims)
    kv = build_kview(raw, rule_edits)
    blocks = split_blocks(kv, raw)
    if not blocks:
        raise InputError(file, None, "no text left after cleaning (the file is nothing but noise)")
    for pos, kind in marks:
        kpos = _k_at_raw(kv, pos)
        for b in blocks:
            if b.k_start <= kpos <= b.k_end + 1:
                b.marks.add(kind)
                break
    for b in blocks:
        normalise_block(kv, b)
    units = build_units(kv, blocks, prof)
    text, k_ops = assemble(kv, units)
    edits = sorted(rule_edits + k_ops_to_edits(kv, k_ops, rule_edits), key=lambda e: (e.raw_start, e.raw_end))
    _check_audit(file, raw, edits, text)

    secs, owner = _sections(units, prof)
    sections: list[Section] = []
    for si, s in enumerate(secs):
        us = [units[i] for i in s["units"]]
        sections.append(
            Section(
                f"{doc_id}-s{si:03d}",
                doc_id,
                si,
                s["heading"],
                s["level"],
                s["kind"],
                us[0].start,
                us[-1].end,
            )
        )
    paragraphs: list[Paragraph] = []
    pending_notes: list[tuple[Unit, str]] = []
    for i, u in enumerate(units):
        sid = sections[owner[i]].section_id
        rs, re_ = kv.raw_range(u.blocks[0].k_start, u.blocks[-1].k_end)
        if u.kind == "note":
            pending_notes.append((u, sid))
            continue
        paragraphs.append(
            Paragraph(
                f"{doc_id}-p{len(paragraphs):04d}",
                sid,
                doc_id,
                len(paragraphs),
                PARAGRAPH_KIND[u.kind],
                u.start,
                u.end,
                u.text,
                rs,
                re_,
            )
        )
    notes: list[Note] = []
    for u, sid in pending_notes:
        rs, re_ = kv.raw_range(u.blocks[0].k_start, u.blocks[-1].k_end)
        body = min(u.start + u.body_offset, u.end)
        notes.append(
            Note(
                f"{doc_id}-n{len(notes):03d}",
                doc_id,
                sid,
                len(notes),
                u.label,
                u.note_kind or "endnote",
                text[body : u.end],
                body,
                u.end,
                rs,
                re_,
            )
        )
    callouts, diags = _callouts(doc_id, prof, paragraphs, notes, text)
    notes = [_with_callouts(n, callouts) for n in notes]
    for n in notes:
        if n.start == n.end:
            diags.append(
                Diagnostic(doc_id, "empty_note", f"note {n.label or n.note_id} has no text", n.start, n.end)
            )
        if not n.callouts:
            diags.append(
                Diagnostic(
                    doc_id,
                    "note_without_callout",
                    f"note {n.label or n.note_id} has no callout in the text",
                    n.start,
                    n.end,
                )
            )

    removed: list[Removed] = []
    delta = 0
    for e in edits:
        removed.append(
            Removed(
                f"{doc_id}-r{len(removed):04d}",
                doc_id,
                len(removed),
                e.raw_start,
                e.raw_end,
                raw[e.raw_start : e.raw_end],
                e.replacement,
                e.reason,
                e.action,
                e.raw_start - delta,
            )
        )
        delta += (e.raw_end - e.raw_start) - len(e.replacement)

    document = _document(source, meta, text, raw, raw_sha256, units, edits, file)
    return DocResult(document, sections, paragraphs, notes, removed, diags)


def _with_callouts(n: Note, callouts: dict[str, list[Callout]]) -> Note:
    from dataclasses import replace

    return replace(n, callouts=callouts.get(n.note_id, []))


def _check_audit(file: str, raw: str, edits: list[Edit], text: str) -> None:
    pos = 0
    for e in edits:
        if e.raw_start < pos or e.raw_end < e.raw_start:
            raise InputError(
                file, f"raw offset {e.raw_start}", f"internal error: overlapping audit spans ({e.reason})"
            )
        pos = e.raw_end
    if apply_edits(raw, edits) != text:
        raise InputError(file, None, "internal error: the cleaning audit does not reproduce the clean text")


def _document(
    source: dict[str, Any],
    meta: dict[str, Any],
    text: str,
    raw: str,
    raw_sha256: str,
    units: list[Unit],
    edits: list[Edit],
    file: str,
) -> Document:
    def m(key: str) -> Any:
        return meta[key][0] if key in meta else None

    date = None
    if "date" in meta:
        date = _iso_date(meta["date"][0], file, meta["date"][1])
    elif "year" in meta:
        date = _iso_date(meta["year"][0], file, meta["year"][1])
    printed = (
        _iso_date(meta["printed_date"][0], file, meta["printed_date"][1]) if "printed_date" in meta else None
    )
    authors = m("authors")
    if isinstance(authors, str):
        authors = [authors]
    keywords = m("keywords") or []
    categories = m("categories") or []
    title = units[0].text if units and units[0].kind == "title" else None
    removed_chars = sum(e.raw_end - e.raw_start for e in edits if e.action != "normalize")
    return Document(
        doc_id=source["doc_id"],
        source_file=source["source_file"],
        site=source["site"],
        genre=source["genre"],
        language=source.get("language", "en"),
        title=title,
        subtitle=m("subtitle"),
        authors=authors or [],
        date=date,
        printed_date=printed,
        venue=m("venue") or source.get("venue"),
        publisher=m("publisher"),
        volume=m("volume"),
        pages=m("pages"),
        citation=m("citation"),
        doi=source.get("doi"),
        url=source.get("url"),
        keywords=list(keywords),
        categories=list(categories),
        author_bio=m("author_bio"),
        ethics_statement=m("ethics_statement"),
        rights=m("rights"),
        text=text,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        raw_sha256=raw_sha256,
        raw_chars=len(raw),
        clean_chars=len(text),
        removed_chars=removed_chars,
    )
