"""Integrity check of the section tree (registered with ``@integrity_check``; ``gate/records.py`` imports this
module so it runs): every section's parent is the nearest section before it of a lower level, and every heading
path is the parent's path plus the section's own heading; a paragraph carries its section's path."""

from __future__ import annotations

from irbc.gate.integrity import Records, _check, _sections_of, integrity_check
from irbc.gate.report import Check
from irbc.stages.sections import section_tree


@integrity_check("section_tree_v1")
def section_tree_check(r: Records) -> list[Check]:
    probs = []
    for d in r.docs:
        secs = _sections_of(r, d)
        ids = [s["section_id"] for s in secs]
        paths = {}
        for s, (parent, path) in zip(secs, section_tree(secs), strict=True):
            want = None if parent is None else ids[parent]
            if s["parent_section_id"] != want:
                probs.append(f"{s['section_id']}: parent {s['parent_section_id']!r}, expected {want!r}")
            if s["heading_path"] != path:
                probs.append(f"{s['section_id']}: heading path is not its parent's path and its own heading")
            paths[s["section_id"]] = s["heading_path"]
        for p in r.by_doc[d]["paragraphs"]:
            if p["heading_path"] != paths.get(p["section_id"]):
                probs.append(f"{p['paragraph_id']}: heading path differs from its section's")
    n = len(r.tables["sections"]) + len(r.tables["paragraphs"])
    return [_check("sections form a tree; heading paths follow it", "sections", n, probs)]
