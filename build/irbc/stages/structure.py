"""Structure: normalised blocks -> units (title, headings, paragraphs, list items, quotations, notes)
-> sections, paragraphs, notes with callouts; and the clean text with its audit."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from irbc.stages.clean import Block, KView
from irbc.stages.rules import compile_declared, start_matcher

TERMINAL = tuple(".;,!”\"’'")
CALLOUT_END = re.compile(r"\[\d+\]$")
OPEN_QUOTE = ("“", '"')


@dataclass
class Unit:
    blocks: list[Block]
    kind: str  # title | heading | paragraph | list_item | quotation | note
    level: int = 0
    label: str | None = None
    note_kind: str | None = None
    body_offset: int = 0  # where a note's text starts inside the unit (after its printed label)
    text: str = ""
    start: int = 0
    end: int = 0
    section_break: bool = False
    join_ops: list[tuple[int, int, str, str]] = field(default_factory=list)
    render: str | None = None  # replacement rendering for a label block


def is_heading(b: Block, prof: dict[str, Any], has_next: bool) -> int:
    """Heading level (1, 2) or 0 if the block is not a heading, from the text's own signals."""
    t = b.text
    if not has_next or b.list_item or "\n" in t:
        return 0
    words = t.split()
    if len(words) > prof["heading_max_words"] or len(t) > prof["heading_max_chars"]:
        return 0
    if not (t[0].isupper() or t[0].isdigit()) or t.startswith(OPEN_QUOTE) or CALLOUT_END.search(t):
        return 0
    if t.endswith(":"):
        return 2 if prof["colon_headings"] else 0
    if t.endswith("?"):
        return 2 if prof["colon_headings"] else 1
    if t.endswith(TERMINAL) or t.endswith("..."):
        return 0
    return 1


def is_quotation(b: Block, prev: Unit | None) -> bool:
    t = b.text
    if t.startswith(OPEN_QUOTE) and re.search(r"[”\"][.,]?(\s*—\s*[A-Z][\w .'-]+)?$", t):
        return True
    # An epigraph's attribution line ("Mary Dejevsky [1]") right after a quotation.
    if prev is not None and prev.kind == "quotation" and len(t.split()) <= 8 and CALLOUT_END.search(t):
        return True
    # A block quotation introduced by a sentence that runs on into it ("He argues ... that" / "a state's ...").
    return bool(
        prev is not None
        and prev.kind == "paragraph"
        and t[:1].islower()
        and not prev.text.rstrip().endswith((".", "!", "?", "”", '"', ")"))
    )


class Label(NamedTuple):
    label: str  # the `label` group of the note label pattern
    end: int  # where the match ends in the block text


def _label_matcher(notes: dict[str, Any], key: str) -> Callable[[str], Label | None] | None:
    """``match(text)`` for the profile's ``label_block`` or ``label_inline`` pattern, matched at the start of a
    block's text, or None if the profile has none. RE2 has no backreferences: the groups named in
    ``equal_groups`` must have matched the same text."""
    if not notes.get(key):
        return None
    rx_match = start_matcher(notes[key])
    index = compile_declared(notes[key]).groupindex  # groups by number: RE2's lookup by name is slow
    label = index["label"]
    same = [index[g] for g in notes.get("equal_groups") or []] if key == "label_block" else []

    def match(text: str) -> Label | None:
        m = rx_match(text)
        if m is None:
            return None
        value = m.group(label)
        if same and any(m.group(g) != m.group(same[0]) for g in same[1:]):
            return None
        return Label(value, m.end())

    return match


def _trailing_run(blocks: list[Block], starts_note: Callable[[Block], bool]) -> int:
    """Index of the first block of the run of labelled blocks that ends the text (len(blocks) if none); the
    title is never a note."""
    first = len(blocks)
    while first > 1 and starts_note(blocks[first - 1]):
        first -= 1
    return first


def build_units(kv: KView, blocks: list[Block], prof: dict[str, Any]) -> list[Unit]:
    notes = prof.get("notes") or {}
    label_block = _label_matcher(notes, "label_block")
    label_inline = _label_matcher(notes, "label_inline")
    mark_kind = notes.get("block_kind")

    def starts_note(b: Block) -> bool:
        if label_block is not None:
            return bool(label_block(b.text))
        if label_inline is not None:
            return bool(label_inline(b.text))
        return bool(mark_kind and mark_kind in b.marks)

    first_note = _trailing_run(blocks, starts_note) if notes.get("trailing") else len(blocks)
    units: list[Unit] = []
    in_notes = False
    for i, b in enumerate(blocks):
        brk = b.blank_lines_before >= 2 and prof["blank_line_section_break"]
        if not in_notes and notes and (i >= first_note if notes.get("trailing") else starts_note(b)):
            in_notes = True
        if in_notes:
            cur = units[-1] if units and units[-1].kind == "note" else None
            if label_block is not None:
                m = label_block(b.text)
                if m:
                    rendered = prof["notes"].get("render_label", "{label}").format(label=m.label)
                    units.append(Unit([b], "note", label=m.label, note_kind=notes["kind"], render=rendered))
                    units[-1].body_offset = len(rendered) + 1
                    continue
                if cur is not None:
                    cur.blocks.append(b)
                    continue
            elif label_inline is not None:
                m = label_inline(b.text)
                if m:
                    units.append(Unit([b], "note", label=m.label, note_kind=notes["kind"]))
                    units[-1].body_offset = m.end
                    continue
                if cur is not None:
                    cur.blocks.append(b)
                    continue
            units.append(Unit([b], "note", note_kind=notes["kind"]))
            continue
        prev = units[-1] if units else None
        has_next = i + 1 < len(blocks)
        if not units:
            u = Unit([b], "title", level=0)
        elif is_quotation(b, prev):
            u = Unit([b], "quotation")
        elif b.list_item:
            u = Unit([b], "list_item")
        elif lvl := is_heading(b, prof, has_next):
            u = Unit([b], "heading", level=lvl)
        else:
            u = Unit([b], "paragraph")
        u.section_break = brk
        units.append(u)
    return units


def assemble(kv: KView, units: list[Unit]) -> tuple[str, list[tuple[int, int, str, str]]]:
    """Join the units into the clean text; returns it and the K-view ops (block ops + separators)."""
    ops: list[tuple[int, int, str, str]] = []
    out: list[str] = []
    pos = 0
    k_pos = 0
    for ui, u in enumerate(units):
        sep = "" if ui == 0 else "\n\n"
        first = u.blocks[0]
        if kv.text[k_pos : first.k_start] != sep:
            ops.append((k_pos, first.k_start, sep, "ws_block_break" if sep else "ws_trim"))
        out.append(sep)
        pos += len(sep)
        u.start = pos
        pieces = []
        for bi, b in enumerate(u.blocks):
            if bi:
                joiner = " "
                ops.append((u.blocks[bi - 1].k_end, b.k_start, joiner, "note_join"))
                pieces.append(joiner)
            if bi == 0 and u.render is not None:
                if u.render != kv.text[b.k_start : b.k_end]:
                    ops.append((b.k_start, b.k_end, u.render, "note_label_dedup"))
                pieces.append(u.render)
            else:
                ops.extend(b.ops)
                pieces.append(b.text)
        u.text = "".join(pieces)
        out.append(u.text)
        pos += len(u.text)
        u.end = pos
        k_pos = u.blocks[-1].k_end
    if k_pos < len(kv.text):
        ops.append((k_pos, len(kv.text), "", "ws_trim"))
    return "".join(out), ops
