"""The sections stage: units -> sections (headings from the text's own signals, notes in their own section), and
the section tree: each section's parent (the nearest section before it of a lower level, the title aside) and
its heading path. Two declared profile settings correct what the signals get wrong: ``heading_levels`` (a
heading matching a pattern gets that level, e.g. answer labels under an FAQ question) and
``untitled_section_kinds`` (an untitled section with a paragraph matching a pattern gets that kind, e.g. a
conclusion whose heading the scrape lost)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from irbc.core.records import Section
from irbc.stages.rules import first_match
from irbc.stages.structure import Unit

Matcher = tuple[Callable[[str], int | None], list[Any]]  # (first matching pattern, the value of each pattern)


def _matcher(entries: list[dict[str, Any]] | None, key: str, flags: str = "") -> Matcher:
    entries = entries or []
    return first_match(tuple(e["pattern"] for e in entries), flags), [e[key] for e in entries]


def _lookup(m: Matcher, text: str) -> Any:
    hit = m[0](text)
    return m[1][hit] if hit is not None else None


def _new_section(
    u: Unit, secs: list[dict[str, Any]], state: dict[str, Any], prof: dict[str, Any], m: dict[str, Matcher]
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
        level = _lookup(m["levels"], u.text) or u.level
        kind = _lookup(m["kinds"], u.text)  # first match wins
        if kind is None:
            kind = state["last_l1_kind"] if level >= 2 else "body"
        if level <= 1:
            state["last_l1_kind"] = kind
        return {"heading": u.text, "level": level, "kind": kind}
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
    m = {
        "kinds": _matcher(prof["heading_kinds"], "kind", "i"),
        "levels": _matcher(prof.get("heading_levels"), "level"),
    }
    secs: list[dict[str, Any]] = []
    owner: list[int] = []
    state: dict[str, Any] = {"last_l1_kind": "body", "first_untitled_done": False}
    for i, u in enumerate(units):
        new = _new_section(u, secs, state, prof, m)
        if new is not None or not secs:
            new = new or {"heading": None, "level": 1, "kind": "body"}
            new["units"] = []
            secs.append(new)
        secs[-1]["units"].append(i)
        owner.append(len(secs) - 1)
    _untitled_kinds(secs, units, _matcher(prof.get("untitled_section_kinds"), "kind"))
    return secs, owner


def _untitled_kinds(secs: list[dict[str, Any]], units: list[Unit], m: Matcher) -> None:
    """An untitled body section takes the declared kind of the first pattern one of its paragraphs matches."""
    for s in secs:
        if s["heading"] is None and s["kind"] == "body":
            hits = (_lookup(m, units[i].text) for i in s["units"] if units[i].kind == "paragraph")
            s["kind"] = next((k for k in hits if k is not None), "body")


def section_tree(secs: list[dict[str, Any]]) -> list[tuple[int | None, list[str]]]:
    """(index of the parent section or None, heading path) per section: the parent is the nearest section before
    it of a lower level (level 1 sections, and the title, have none); the heading path is the headings of its
    ancestors and its own, outermost first, untitled ones left out."""
    out: list[tuple[int | None, list[str]]] = []
    stack: list[int] = []  # open sections of level >= 1, outermost first
    for i, s in enumerate(secs):
        while stack and secs[stack[-1]]["level"] >= s["level"]:
            stack.pop()
        parent = stack[-1] if stack else None
        path = out[parent][1] if parent is not None else []
        out.append((parent, path + ([s["heading"]] if s["heading"] is not None else [])))
        if s["level"] >= 1:
            stack.append(i)
    return out


def section_records(doc_id: str, units: list[Unit], prof: dict[str, Any]) -> tuple[list[Section], list[int]]:
    """The Section records of a document and, for every unit, the index of its section."""
    secs, owner = group_sections(units, prof)
    tree = section_tree(secs)
    sections = []
    for si, (s, (parent, path)) in enumerate(zip(secs, tree, strict=True)):
        us = [units[i] for i in s["units"]]
        sections.append(
            Section(
                f"{doc_id}-s{si:03d}",
                doc_id,
                si,
                s["heading"],
                s["level"],
                s["kind"],
                None if parent is None else f"{doc_id}-s{parent:03d}",
                path,
                us[0].start,
                us[-1].end,
            )
        )
    return sections, owner
