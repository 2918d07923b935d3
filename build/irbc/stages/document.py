"""The per-document stage: raw text -> Document, sections, paragraphs, notes, audit, diagnostics.

A pure function of (source entry, raw text, compiled rules, profile): no I/O, no global state. It composes the
stages in order: rules (``stages.rules``), blocks and normalisation (``stages.clean``), units and the clean text
(``stages.structure``), sections, callouts, metadata.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Any

from irbc.core.errors import InputError
from irbc.core.records import (
    Callout,
    Citation,
    Diagnostic,
    Document,
    Edit,
    Note,
    Paragraph,
    Removed,
    Section,
    Sentence,
)
from irbc.stages.callouts import link_callouts
from irbc.stages.citations import citation_records
from irbc.stages.clean import (
    KView,
    apply_edits,
    build_kview,
    invisible_edits,
    k_ops_to_edits,
    normalise_block,
    split_blocks,
)
from irbc.stages.metadata import document_record
from irbc.stages.rules import Claims, Rule, apply_rules
from irbc.stages.sections import section_records
from irbc.stages.sentences import sentence_records
from irbc.stages.structure import Unit, assemble, build_units

PARAGRAPH_KIND = {
    "title": "heading",
    "heading": "heading",
    "paragraph": "paragraph",
    "list_item": "list_item",
    "quotation": "quotation",
}


@dataclass
class DocResult:
    document: Document
    sections: list[Section]
    paragraphs: list[Paragraph]
    notes: list[Note]
    removed: list[Removed]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)


@dataclass
class _Cleaned:
    """What cleaning and structure leave: the K view, the units, the clean text, its audit and metadata."""

    kv: KView
    units: list[Unit]
    text: str
    edits: list[Edit]
    meta: dict[str, Any]


def _k_at_raw(kv: KView, raw_pos: int) -> int:
    i = bisect.bisect_right(kv.seg_raw, raw_pos) - 1
    if i < 0:
        return 0
    seg_len = (kv.seg_k[i + 1] if i + 1 < len(kv.seg_k) else len(kv.text)) - kv.seg_k[i]
    return kv.seg_k[i] + min(raw_pos - kv.seg_raw[i], seg_len)


def _clean(source: dict[str, Any], raw: str, rules: list[Rule], prof: dict[str, Any]) -> _Cleaned:
    """Rules claim raw spans, the rest is split into normalised blocks, blocks become units, units the text."""
    file = source["source_file"]
    applicable = [r for r in rules if r.applies(source["doc_id"], source["site"], prof.get("name"))]
    claims = Claims()
    rule_edits, meta, marks = apply_rules(raw, applicable, claims)
    invisible = invisible_edits(raw, claims)  # bidi controls and zero-width characters no rule claimed
    if invisible:
        rule_edits = sorted(rule_edits + invisible, key=lambda e: e.raw_start)
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
    return _Cleaned(kv, units, text, edits, meta)


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


def _paragraphs_and_notes(
    doc_id: str, c: _Cleaned, sections: list[Section], owner: list[int]
) -> tuple[list[Paragraph], list[Note]]:
    paragraphs: list[Paragraph] = []
    notes: list[Note] = []
    for i, u in enumerate(c.units):
        sid = sections[owner[i]].section_id
        rs, re_ = c.kv.raw_range(u.blocks[0].k_start, u.blocks[-1].k_end)
        if u.kind == "note":
            body = min(u.start + u.body_offset, u.end)
            notes.append(
                Note(
                    f"{doc_id}-n{len(notes):03d}",
                    doc_id,
                    sid,
                    len(notes),
                    u.label,
                    u.note_kind or "endnote",
                    c.text[body : u.end],
                    body,
                    u.end,
                    rs,
                    re_,
                )
            )
            continue
        paragraphs.append(
            Paragraph(
                f"{doc_id}-p{len(paragraphs):04d}",
                sid,
                doc_id,
                len(paragraphs),
                PARAGRAPH_KIND[u.kind],
                sections[owner[i]].heading_path,
                u.start,
                u.end,
                u.text,
                rs,
                re_,
            )
        )
    return paragraphs, notes


def _note_diagnostics(doc_id: str, notes: list[Note]) -> list[Diagnostic]:
    diags = []
    for n in notes:
        name = n.label or n.note_id
        if n.start == n.end:
            diags.append(Diagnostic(doc_id, "empty_note", f"note {name} has no text", n.start, n.end))
        if not n.callouts:
            msg = f"note {name} has no callout in the text"
            diags.append(Diagnostic(doc_id, "note_without_callout", msg, n.start, n.end))
    return diags


def audit_records(doc_id: str, raw: str, edits: list[Edit]) -> list[Removed]:
    """One ``removed`` row per audited edit, with the offset of its replacement in the clean text."""
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
    return removed


def process_document(
    source: dict[str, Any], raw: str, rules: list[Rule], prof: dict[str, Any], raw_sha256: str
) -> DocResult:
    doc_id = source["doc_id"]
    c = _clean(source, raw, rules, prof)
    sections, owner = section_records(doc_id, c.units, prof)
    paragraphs, notes = _paragraphs_and_notes(doc_id, c, sections, owner)
    callouts, diags = link_callouts(doc_id, prof, paragraphs, notes, c.text)
    notes = [_with_callouts(n, callouts) for n in notes]
    diags += _note_diagnostics(doc_id, notes)
    document = document_record(source, c.meta, c.text, raw, raw_sha256, c.units, c.edits)
    sentences = sentence_records(doc_id, c.text, paragraphs, notes, prof)
    removed = audit_records(doc_id, raw, c.edits)
    cites = citation_records(prof, notes, c.text)
    return DocResult(document, sections, paragraphs, notes, removed, diags, cites, sentences)


def _with_callouts(n: Note, callouts: dict[str, list[Callout]]) -> Note:
    return replace(n, callouts=callouts.get(n.note_id, []))
