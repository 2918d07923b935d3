"""The sections stage: units -> sections (headings from the text's own signals, notes in their own section)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from irbc.core.records import Section
from irbc.stages.rules import first_match
from irbc.stages.structure import Unit


def _new_section(
    u: Unit,
    secs: list[dict[str, Any]],
    state: dict[str, Any],
    prof: dict[str, Any],
    heading_kinds: tuple[Callable[[str], int | None], list[str]],
) -> dict[str, Any] | None:
    """The section that unit ``u`` opens, or None if it continues the current one. ``state`` carries the kind
    of the last level-1 section and whether the first untitled section was seen."""
    if u.kind == "title":
        return {"heading": u.text, "level": 0, "kind": "title"}
    if u.kind == "note":
        if not secs or secs[-1]["kind"] not in ("notes", "references"):
            return {"heading": None, "level": 1, "kind": prof["notes"]["section_kind"]}
        return None
    if u.kind == "heading":
        first, kinds = heading_kinds
        hit = first(u.text)  # first match wins
        kind = kinds[hit] if hit is not None else None
        if kind is None:
            kind = state["last_l1_kind"] if u.level >= 2 else "body"
        if u.level <= 1:
            state["last_l1_kind"] = kind
        return {"heading": u.text, "level": u.level, "kind": kind}
    if secs and secs[-1]["kind"] == "title":
        kind = prof["first_section_kind"] if not state["first_untitled_done"] else "body"
        state["first_untitled_done"] = True
        state["last_l1_kind"] = kind
        return {"heading": None, "level": 1, "kind": kind}
    if u.section_break:
        state["last_l1_kind"] = "body"
        return {"heading": None, "level": 1, "kind": "body"}
    return None


def group_sections(units: list[Unit], prof: dict[str, Any]) -> tuple[list[dict[str, Any]], list[int]]:
    """Group units into sections; returns section dicts (with unit index lists) and unit->section map."""
    patterns = tuple(h["pattern"] for h in prof["heading_kinds"])
    heading_kinds = (first_match(patterns, "i"), [h["kind"] for h in prof["heading_kinds"]])
    secs: list[dict[str, Any]] = []
    owner: list[int] = []
    state: dict[str, Any] = {"last_l1_kind": "body", "first_untitled_done": False}
    for i, u in enumerate(units):
        new = _new_section(u, secs, state, prof, heading_kinds)
        if new is not None or not secs:
            new = new or {"heading": None, "level": 1, "kind": "body"}
            new["units"] = []
            secs.append(new)
        secs[-1]["units"].append(i)
        owner.append(len(secs) - 1)
    return secs, owner


def section_records(doc_id: str, units: list[Unit], prof: dict[str, Any]) -> tuple[list[Section], list[int]]:
    """The Section records of a document and, for every unit, the index of its section."""
    secs, owner = group_sections(units, prof)
    sections = []
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
    return sections, owner
