"""One explorer page per document (``explorer/<doc_id>.html``): the clean text by section, with its paragraphs
and notes, concept mentions of both layers, stance evidence, callouts linked to their notes and back, and the
audit's removed spans as markers at their clean offsets. Markup contract (tests and tools read it): a mention is
an element with ``data-mention-id`` and ``data-concept-id`` whose text content is its surface; stance evidence
carries ``data-stance-id``; a note has ``id="<note_id>"``, a section heading ``id="<section_id>"``, a callout is
a link ``href="#<note_id>"``. A document whose text is withheld (stand-off) gets ``explorer_standoff``'s page."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from functools import lru_cache
from typing import Any

from irbc.release.explorer_markup import Item, render_span, visible
from irbc.release.explorer_page import esc, esc_str, page

Rows = list[dict[str, Any]]


def heading_tag(level: int) -> str:
    return f"h{min(max(level, 0) + 2, 6)}"


def _mention_items(doc: dict[str, Any], concepts: dict[str, dict[str, Any]]) -> list[Item]:
    items = []
    tails: dict[tuple[str, str], tuple[tuple[tuple[str, str], ...], str]] = {}  # by concept and layer
    for m in doc["mentions"]:
        active = m["annotator"] == doc["default_layer"]
        key = (m["concept_id"], m["annotator"])
        if key not in tails:  # the attributes after the id, and how they are written
            c = concepts.get(m["concept_id"], {})
            rest: tuple[tuple[str, str], ...] = (
                ("data-concept-id", m["concept_id"]),
                ("data-layer", m["annotator"]),
                ("data-facet", c.get("facet", "")),
                ("data-fx", str(c.get("fx", 0))),
                ("tabindex", "0" if active else "-1"),
                ("aria-describedby", "tip"),
            )
            tails[key] = rest, "".join(f' {k}="{esc_str(v)}"' for k, v in rest) + ">"
        rest, tail = tails[key]
        cls = "m on" if active else "m"
        head = f'<span class="{cls}" data-mention-id="{esc_str(m["mention_id"])}"{tail}'
        attrs = (("class", cls), ("data-mention-id", m["mention_id"]), *rest)
        items.append(Item(m["start"], m["end"], "m", attrs, head=head))
    return items


def _evidence_items(doc: dict[str, Any]) -> list[Item]:
    items = []
    for k, s in enumerate(doc["stances"]):
        for j, ev in enumerate(s["evidence"]):
            attrs = (
                ("class", "ev"),
                ("id", f"ev-{k}-{j}"),
                ("data-stance-id", s["stance_id"]),
                ("data-stance", s["stance"]),
                ("data-panel", f"st-{k}"),
            )
            items.append(Item(ev["start"], ev["end"], "ev", attrs, tag="mark"))
    return items


def _callout_items(doc: dict[str, Any]) -> list[Item]:
    items = []
    for n in doc["notes"]:
        for j, c in enumerate(n["callouts"]):
            # a note marker ("12", "[3]") is set as a superscript; an author-year citation stays in the line
            kind = "callout" if c["end"] - c["start"] <= 5 else "callout cite"
            attrs = (
                ("class", kind),
                ("href", f"#{n['note_id']}"),
                ("id", f"co-{n['note_id']}-{j}"),
                ("aria-label", f"note {n['label']}"),
            )
            items.append(Item(c["start"], c["end"], "co", attrs, tag="a"))
    return items


def _marker(r: dict[str, Any]) -> str:
    return f'<span class="rm" data-removal-id="{esc(r["removal_id"])}"{_marker_tail(r["reason"], r["action"], r["text"])}'


@lru_cache(maxsize=4096)
def _marker_tail(reason: Any, action: Any, text: Any) -> str:
    """The attributes after a marker's id (the same removal, a curly quote or a run of spaces, recurs often)."""
    return (
        f' data-reason="{esc(reason)}" data-action="{esc(action)}" data-text="{esc(text)}" '
        f'data-show="{esc(visible(text))}"></span>'
    )


def _blocks(doc: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    blocks = [("p", p) for p in doc["paragraphs"]] + [("n", n) for n in doc["notes"]]
    return sorted(blocks, key=lambda b: (b[1]["start"], b[1]["end"]))


def _place_markers(
    doc: dict[str, Any], blocks: list[tuple[str, dict[str, Any]]]
) -> tuple[dict[int, dict[int, list[str]]], dict[int, list[str]]]:
    """(block i -> offset -> markers inside it; i -> markers in the gap before block i, where a gap after the
    last block is index len(blocks)). Blocks are disjoint and sorted, so a bisection finds each one."""
    inside: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    gaps: dict[int, list[str]] = defaultdict(list)
    starts = [b[1]["start"] for b in blocks]
    for r in doc["removed"]:
        off = r["clean_offset"]
        i = bisect_right(starts, off) - 1
        if i >= 0 and off <= blocks[i][1]["end"]:
            inside[i][off].append(_marker(r))
        else:
            gaps[i + 1].append(_marker(r))
    return inside, gaps


def _bucket(items: list[Item], blocks: list[tuple[str, dict[str, Any]]]) -> dict[int, list[Item]]:
    """The items that overlap each block."""
    starts = [b[1]["start"] for b in blocks]
    out: dict[int, list[Item]] = defaultdict(list)
    for it in items:
        for i in range(max(bisect_right(starts, it.start) - 1, 0), bisect_left(starts, it.end)):
            out[i].append(it)
    return out


def _note_html(n: dict[str, Any], body: str) -> str:
    backs = "".join(
        f' <a class="back" href="#co-{esc(n["note_id"])}-{j}">↩ back to callout {j + 1}</a>'
        for j in range(len(n["callouts"]))
    )
    return (
        f'<div class="note" id="{esc(n["note_id"])}" tabindex="-1"><span class="note-label">'
        f"{esc(n['label'])}</span> {body}{backs}</div>"
    )


def _block_html(kind: str, b: dict[str, Any], body: str, section: dict[str, Any] | None) -> str:
    if kind == "n":
        return _note_html(b, body)
    if section is not None:  # the heading paragraph that opens its section
        tag = heading_tag(section["level"])
        return f'<{tag} id="{esc(section["section_id"])}"><span id="{esc(b["paragraph_id"])}">{body}</span></{tag}>'
    tag = {"quotation": "blockquote", "heading": "p"}.get(b["kind"], "p")
    return f'<{tag} class="{esc(b["kind"])}" id="{esc(b["paragraph_id"])}">{body}</{tag}>'


def _untitled(s: dict[str, Any]) -> str:
    tag = heading_tag(s["level"])
    label = f"[untitled {s['kind']} section {s['position']}]"
    return f'<{tag} id="{esc(s["section_id"])}" class="untitled">{esc(label)}</{tag}>'


def _body(doc: dict[str, Any], concepts: dict[str, dict[str, Any]]) -> str:
    text = doc["row"]["text"]
    items = _mention_items(doc, concepts) + _evidence_items(doc) + _callout_items(doc)
    blocks = _blocks(doc)
    inside, gaps = _place_markers(doc, blocks)
    per_block = _bucket(items, blocks)
    opening = {s["section_id"]: s for s in doc["sections"]}
    out: list[str] = []
    current: str | None = None
    for i, (kind, b) in enumerate(blocks):
        out.extend(f'<div class="gap">{m}</div>' for m in gaps.get(i, ()))
        sid = b["section_id"]
        if sid != current:
            out.append("</section>" if current is not None else "")
            current = sid
            s = opening[sid]
            out.append(f'<section aria-labelledby="{esc(sid)}">')
            heads = kind == "p" and b["kind"] == "heading" and b["start"] == s["start"]
            if not heads:
                out.append(_untitled(s))
        else:
            heads = False
        body = render_span(text, b["start"], b["end"], per_block.get(i, []), inside.get(i, {}))
        out.append(_block_html(kind, b, body, opening[sid] if heads else None))
    out.append("</section>" if current is not None else "")
    out.extend(f'<div class="gap">{m}</div>' for m in gaps.get(len(blocks), ()))
    return "\n".join(o for o in out if o)


def toc(doc: dict[str, Any]) -> str:
    items = []
    for s in doc["sections"]:
        label = s["heading"] or f"[untitled {s['kind']} section {s['position']}]"
        items.append(
            f'<li class="lvl{min(s["level"], 4)}"><a href="#{esc(s["section_id"])}">{esc(label)}</a></li>'
        )
    return '<nav class="toc" aria-label="Sections"><h2>Sections</h2><ol>' + "".join(items) + "</ol></nav>"


def stance_panel(doc: dict[str, Any], targets: dict[str, str], link: bool) -> str:
    rows = []
    for k, s in enumerate(doc["stances"]):
        if link:
            evs = " ".join(f'<a href="#ev-{k}-{j}">evidence {j + 1}</a>' for j in range(len(s["evidence"])))
        else:
            evs = " ".join(
                f"evidence {j + 1}: [{e['start']}, {e['end']})" for j, e in enumerate(s["evidence"])
            )
        rows.append(
            f'<li id="st-{k}" class="stance" data-stance-id="{esc(s["stance_id"])}">'
            f'<p class="target">{esc(targets.get(s["target_id"], s["target_id"]))}</p>'
            f'<p><span class="badge stance-{esc(s["stance"])}">{esc(s["stance"])}</span> '
            f"holder: <b>{esc(s['holder'])}</b> ({esc(s['attribution'])})</p>"
            f'<p class="rationale">{esc(s["rationale"])}</p><p class="evs">{evs}</p></li>'
        )
    return (
        '<aside class="stances" aria-label="Stances"><h2>Stances</h2>'
        f'<p class="count">{len(doc["stances"])} stances</p><ol>' + "".join(rows) + "</ol></aside>"
    )


def metadata(row: dict[str, Any], fields: tuple[str, ...]) -> str:
    items = []
    for f in fields:
        v = row.get(f)
        if v is None or v == []:
            shown = '<span class="null">not stated</span>'
        elif isinstance(v, list):
            shown = esc("; ".join(str(x) for x in v))
        else:
            shown = esc(str(v))
        items.append(f"<dt>{esc(f)}</dt><dd>{shown}</dd>")
    return '<dl class="meta">' + "".join(items) + "</dl>"


CONTROLS = (
    '<div class="controls" role="group" aria-label="View">'
    "<fieldset><legend>Mention layer</legend>{layers}</fieldset>"
    '<label><input type="checkbox" id="audit-toggle"> Audit view: show removed spans with their reason codes</label>'
    "</div>"
)


def controls(layers: list[str], default: str) -> str:
    radios = "".join(
        f'<label><input type="radio" name="layer" value="{esc(x)}"{" checked" if x == default else ""}> '
        f"{esc(x)}</label>"
        for x in layers
    )
    return CONTROLS.format(layers=radios)


def doc_page(doc: dict[str, Any], ctx: dict[str, Any]) -> str:
    """The full page of one document whose text is in the release."""
    row = doc["row"]
    body = (
        f'<p class="crumbs"><a href="index.html">← all documents</a></p>'
        f"<h1>{esc(row['title'] or row['doc_id'])}</h1>"
        + metadata(row, ctx["meta_fields"])
        + controls(ctx["layers"], doc["default_layer"])
        + ctx["legend"]
        + '<div class="layout">'
        + toc(doc)
        + f'<main id="text" class="doctext" data-doc-id="{esc(row["doc_id"])}">{_body(doc, ctx["concepts"])}</main>'
        + stance_panel(doc, ctx["targets"], link=True)
        + "</div>"
        + '<div id="tip" role="tooltip" hidden></div>'
    )
    return page(row["title"] or row["doc_id"], body, doc["default_layer"])
