"""The explorer page of a document whose text a stand-off release withholds: only what the release itself
carries (metadata, sections and their headings, offsets, counts, the codebook's concepts, the stances'
labels and rationales), never the text, a surface, an evidence quote or a note's text, and a pointer to
``irbc rehydrate``, which writes the full page."""

from __future__ import annotations

from collections import Counter
from typing import Any

from irbc.release.explorer_doc import metadata, stance_panel, toc
from irbc.release.explorer_page import esc, page

REHYDRATE = (
    '<p class="withheld" role="note"><strong>The text of this document is withheld in this stand-off '
    "release.</strong> This page shows what the release carries without it: metadata, sections, offsets, "
    "counts and the stances' labels. With your own copy of the raw texts, "
    "<code>irbc rehydrate RELEASE RAW_DIR --out DIR</code> rebuilds the full release, whose explorer shows the "
    "text with its mentions, evidence, notes and audit.</p>"
)


def _table(head: list[str], rows: list[list[Any]], caption: str) -> str:
    th = "".join(f'<th scope="col">{esc(h)}</th>' for h in head)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f'<div class="scroll"><table><caption>{esc(caption)}</caption><tr>{th}</tr>{body}</table></div>'


def _sections(doc: dict[str, Any]) -> str:
    out = []
    paras = Counter(p["section_id"] for p in doc["paragraphs"])
    notes = Counter(n["section_id"] for n in doc["notes"])
    for s in doc["sections"]:
        label = s["heading"] or f"[untitled {s['kind']} section {s['position']}]"
        out.append(
            f'<li><span id="{esc(s["section_id"])}">{esc(label)}</span>: {esc(s["kind"])}, characters '
            f"[{s['start']}, {s['end']}), {paras[s['section_id']]} paragraphs, {notes[s['section_id']]} notes</li>"
        )
    return '<h2>Sections</h2><ol class="plain">' + "".join(out) + "</ol>"


def _notes(doc: dict[str, Any]) -> str:
    rows = [[n["label"], n["kind"], f"[{n['start']}, {n['end']})", len(n["callouts"])] for n in doc["notes"]]
    ids = "".join(f'<span id="{esc(n["note_id"])}"></span>' for n in doc["notes"])
    return ids + _table(["label", "kind", "characters", "callouts"], rows, "Notes (text withheld)")


def _mentions(doc: dict[str, Any], concepts: dict[str, dict[str, Any]]) -> str:
    per = Counter((m["annotator"], m["concept_id"]) for m in doc["mentions"])
    rows = [
        [concepts.get(c, {}).get("label", c), concepts.get(c, {}).get("facet", ""), layer, n]
        for (layer, c), n in sorted(per.items())
    ]
    return _table(
        ["concept", "facet", "layer", "mentions"], rows, "Concept mentions per layer (surfaces withheld)"
    )


def _removed(doc: dict[str, Any]) -> str:
    per = Counter(r["reason"] for r in doc["removed"])
    rows = [[reason, n] for reason, n in sorted(per.items())]
    return _table(["reason", "audit spans"], rows, "Audit spans by reason (removed text withheld)")


def standoff_page(doc: dict[str, Any], ctx: dict[str, Any]) -> str:
    row = doc["row"]
    body = (
        '<p class="crumbs"><a href="index.html">← all documents</a></p>'
        f"<h1>{esc(row['title'] or row['doc_id'])}</h1>"
        + REHYDRATE
        + metadata(row, ctx["meta_fields"])
        + '<div class="layout">'
        + toc(doc)
        + '<main id="text">'
        + _sections(doc)
        + _mentions(doc, ctx["concepts"])
        + _notes(doc)
        + _removed(doc)
        + "</main>"
        + stance_panel(doc, ctx["targets"], link=False)
        + "</div>"
    )
    return page(row["title"] or row["doc_id"], body)
