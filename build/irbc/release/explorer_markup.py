"""Inline markup of one span of the clean text for the explorer: concept mentions (both layers), stance
evidence and note callouts become elements, and the audit's removed spans become empty markers at their clean
offsets (their text is shown by CSS from attributes, so no element's text content changes).

Items may nest (a mention inside a piece of evidence, a lexicon mention inside the curated one for the same span).
Evidence that crosses a mention or callout is cut at its edges first; where two items still overlap without
nesting (two pieces of evidence), the later one is closed and reopened around the boundary, so the HTML stays
well formed. A later piece of evidence carries the same ``data-stance-id`` without the anchor id. Mentions of one
layer never overlap (the taggers emit disjoint spans) and those of the two layers nest in the corpus, so every
mention element's text content is exactly its surface; two mentions of different layers that crossed would be
the one case where a mention element is reopened."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from irbc.release.explorer_page import esc_str, esc_text

# which item opens first when two start at the same offset and end at the same offset (outermost first)
RANK = {"ev": 0, "m": 1, "co": 2}


@dataclass(slots=True)
class Item:
    """An element over ``text[start:end]``: its kind (``ev``, ``m`` or ``co``), its opening-tag attributes and,
    for a piece that had to be reopened, the attributes that are dropped (ids must stay unique)."""

    start: int
    end: int
    kind: str
    attrs: tuple[tuple[str, str], ...]
    tag: str = "span"
    once: tuple[str, ...] = ("id",)  # attributes written on the first piece only
    head: str = ""  # the first piece's opening tag, if made already (as ``open_tag`` makes it)

    def open_tag(self, first: bool) -> str:
        if first and self.head:
            return self.head
        if first:
            attrs = " ".join([f'{k}="{esc_str(v)}"' for k, v in self.attrs])
        else:
            attrs = " ".join([f'{k}="{esc_str(v)}"' for k, v in self.attrs if k not in self.once])
        return f"<{self.tag} {attrs}>"

    def close_tag(self) -> str:
        return f"</{self.tag}>"


def _order(item: Item) -> tuple[int, int, int]:
    return (item.start, -item.end, RANK[item.kind])


def render_span(text: str, start: int, end: int, items: Iterable[Item], markers: dict[int, list[str]]) -> str:
    """``text[start:end]`` as HTML with ``items`` (clipped to the span) and ``markers`` (offset -> HTML of empty
    elements placed there) inserted."""
    todo = sorted(
        _split_evidence([i for i in items if i.start < end and i.end > start and i.start < i.end]), key=_order
    )
    inside = [p for p in markers if start <= p <= end]
    if not todo and not inside:  # plain text (most blocks of the corpus)
        return esc_text(text[start:end])
    if _side_by_side(todo, start, end):
        return _render_flat(text, start, end, todo, sorted(inside), markers)
    return _render_walk(text, start, end, todo, inside, markers)


def _render_walk(
    text: str, start: int, end: int, todo: list[Item], inside: list[int], markers: dict[int, list[str]]
) -> str:
    """``render_span`` for any items (in ``_order``, evidence already cut): a walk over every offset where
    something opens, closes or is placed, closing and reopening elements so that the HTML stays well formed."""
    cuts = {start, end, *(i.start for i in todo), *(i.end for i in todo), *inside}
    starts: dict[int, list[Item]] = defaultdict(list)
    for i in todo:
        starts[max(i.start, start)].append(i)
    out: list[str] = []
    stack: list[Item] = []
    opened: set[int] = set()
    prev = start
    for pos in sorted(c for c in cuts if start <= c <= end):
        out.append(esc_text(text[prev:pos]))
        prev = pos
        _close_at(pos, stack, out, opened)
        out.extend(markers.get(pos, ()))
        for i in starts.get(pos, ()):
            out.append(i.open_tag(id(i) not in opened))
            opened.add(id(i))
            stack.append(i)
    for i in reversed(stack):
        out.append(i.close_tag())
    return "".join(out)


def _side_by_side(todo: list[Item], start: int, end: int) -> bool:
    """Whether the items (in ``_order``) lie inside the span one after another, none overlapping another."""
    prev = start
    for i in todo:
        if i.start < prev:
            return False
        prev = i.end
    return prev <= end


def _render_flat(
    text: str, start: int, end: int, todo: list[Item], at: list[int], markers: dict[int, list[str]]
) -> str:
    """``render_span`` for items side by side (``_side_by_side``): what its walk over the cuts writes when no
    element has to be closed early or reopened. At an offset, an element that ends there is closed before the
    markers placed there, and one that starts there is opened after them."""
    out: list[str] = []
    prev, k, n = start, 0, len(at)

    def upto(limit: int) -> None:
        """The text and the markers before offset ``limit``."""
        nonlocal prev, k
        while k < n and at[k] < limit:
            out.append(esc_text(text[prev : at[k]]))
            out.extend(markers[at[k]])
            prev, k = at[k], k + 1

    for i in todo:
        upto(i.start + 1)  # markers at the item's start come before its opening tag
        out.append(esc_text(text[prev : i.start]))
        out.append(i.open_tag(True))
        prev = i.start
        upto(i.end)  # markers at its end come after its closing tag
        out.append(esc_text(text[prev : i.end]))
        out.append(i.close_tag())
        prev = i.end
    upto(end + 1)
    out.append(esc_text(text[prev:end]))
    return "".join(out)


def _split_evidence(items: list[Item]) -> list[Item]:
    """Cut each piece of evidence at the edges of the mentions and callouts it overlaps without containing them,
    so that every piece nests inside or around them and no mention has to be reopened."""
    atoms = [i for i in items if i.kind != "ev"]
    if len(atoms) == len(items):
        return atoms  # no evidence (most spans)
    out = atoms[:]
    for ev in (i for i in items if i.kind == "ev"):
        crossing = [
            a
            for a in atoms
            if a.start < ev.end and ev.start < a.end and not (ev.start <= a.start and a.end <= ev.end)
        ]
        cuts = sorted({p for a in crossing for p in (a.start, a.end) if ev.start < p < ev.end})
        edges = [ev.start, *cuts, ev.end]
        for k, (a, b) in enumerate(pairwise(edges)):
            attrs = ev.attrs if k == 0 else tuple((n, v) for n, v in ev.attrs if n not in ev.once)
            out.append(Item(a, b, ev.kind, attrs, ev.tag, ev.once, ev.head if k == 0 else ""))
    return out


def _close_at(pos: int, stack: list[Item], out: list[str], opened: set[int]) -> None:
    """Close every open item that ends at ``pos``; items above one of them are closed and reopened."""
    for i in stack:
        if i.end <= pos:
            break
    else:
        return
    reopen: list[Item] = []
    while any(i.end <= pos for i in stack):
        top = stack.pop()
        out.append(top.close_tag())
        if top.end > pos:
            reopen.append(top)
    for i in reversed(reopen):
        out.append(i.open_tag(id(i) not in opened))
        stack.append(i)


def visible(text: str) -> str:
    """Whitespace made visible for the audit view (line breaks, no-break and other spaces, tabs)."""
    return text.replace("\n", "⏎").replace("\u00a0", "⍽").replace("\t", "⇥").replace(" ", "·")
