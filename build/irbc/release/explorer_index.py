"""The explorer's ``index.html``: the documents with their metadata and counts, the codebook by facet with
definitions and mention counts, the stance targets and the document × target matrix of author stances (a label
in every cell, so colour is never the only signal), the plots, and a search box over the text (plain script
over ``search.js``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from irbc import DATASET_VERSION
from irbc.core.result import BuildResult
from irbc.release.explorer_page import DATA_SCRIPTS, esc, page
from irbc.release.plots import PLOTS, PLOTS_DIR

STANCE_MARK = {"favor": "+ favor", "against": "− against", "neutral": "○ neutral", "none": "· none"}


def _documents(docs: list[dict[str, Any]]) -> str:
    keys = sorted({k for d in docs for k in d["counts"]}, key=lambda k: list(docs[0]["counts"]).index(k)
                  if k in docs[0]["counts"] else 99)  # fmt: skip
    head = "".join(f'<th scope="col">{esc(k)}</th>' for k in ("document", "authors", "date", "genre", *keys))
    rows = []
    for d in docs:
        r = d["row"]
        flag = ' <span class="badge">text withheld</span>' if d["withheld"] else ""
        cells = [
            f'<th scope="row"><a href="{esc(r["doc_id"])}.html">{esc(r["title"] or r["doc_id"])}</a>'
            f"<br><code>{esc(r['doc_id'])}</code>{flag}</th>",
            f"<td>{esc('; '.join(r['authors'] or []) or 'not stated')}</td>",
            f"<td>{esc(r['date'] or 'not stated')}</td><td>{esc(r['genre'])}</td>",
            *(f'<td class="num">{d["counts"].get(k, 0)}</td>' for k in keys),
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<section id="documents"><h2>Documents</h2><div class="scroll"><table class="docs">'
        f"<tr>{head}</tr>{''.join(rows)}</table></div></section>"
    )


def _codebook(docs: list[dict[str, Any]], ctx: dict[str, Any]) -> str:
    cur: Counter[str] = sum((d["curated"] for d in docs), Counter())
    lex: Counter[str] = sum((d["lexicon"] for d in docs), Counter())
    out = ['<section id="codebook"><h2>Codebook</h2>']
    for i, facet in enumerate(ctx["facets"]):
        rows = [
            f'<tr><th scope="row"><span class="m m-demo" data-fx="{i}">{esc(c["label"])}</span>'
            f"<br><code>{esc(cid)}</code></th><td>{esc(c['definition'])}</td>"
            f'<td class="num">{cur[cid]}</td><td class="num">{lex[cid]}</td></tr>'
            for cid, c in ctx["concepts"].items()
            if c["facet"] == facet
        ]
        out.append(
            f'<h3 id="facet-{esc(facet)}">{esc(facet)}</h3><div class="scroll"><table><tr><th scope="col">concept'
            '</th><th scope="col">definition</th><th scope="col">curated mentions</th>'
            f'<th scope="col">lexicon mentions</th></tr>{"".join(rows)}</table></div>'
        )
    return "".join(out) + "</section>"


def _stances(docs: list[dict[str, Any]], ctx: dict[str, Any]) -> str:
    targets = ctx["target_rows"]
    items = "".join(
        f'<li id="target-{esc(t["target_id"])}"><code>{esc(t["target_id"])}</code>: {esc(t["proposition"])}</li>'
        for t in targets
    )
    head = "".join(
        f'<th scope="col"><a href="#target-{esc(t["target_id"])}">{esc(t["target_id"])}</a></th>'
        for t in targets
    )
    rows = []
    for d in docs:
        cells = []
        for t in targets:
            s = d["author_stances"].get(t["target_id"])
            label = STANCE_MARK.get(s, "not annotated") if s else "not annotated"
            cells.append(f'<td class="stance-{esc(s or "na")}">{esc(label)}</td>')
        rows.append(
            f'<tr><th scope="row"><a href="{esc(d["row"]["doc_id"])}.html">{esc(d["row"]["doc_id"])}</a></th>{"".join(cells)}</tr>'
        )
    return (
        '<section id="stances"><h2>Stance targets</h2><ol class="plain">' + items + "</ol>"
        '<h3>Author stances (document × target)</h3><div class="scroll"><table class="matrix">'
        f'<tr><th scope="col">document</th>{head}</tr>{"".join(rows)}</table></div></section>'
    )


def _plots() -> str:
    figs = "".join(
        f'<figure><img src="{PLOTS_DIR}/{p.name}.svg" alt="{esc(p.alt)}"><figcaption>{esc(p.title)}'
        "</figcaption></figure>"
        for p in PLOTS
    )
    return f'<section id="plots"><h2>Plots</h2>{figs}</section>'


SEARCH = (
    '<section id="search" role="search"><h2>Search the text</h2><label for="q">Words to find (at least 3 '
    'letters)</label> <input id="q" type="search" autocomplete="off"><p id="hits-count" aria-live="polite">'
    '</p><ol id="hits"></ol>{note}</section>'
)


def index_page(result: BuildResult, docs: list[dict[str, Any]], ctx: dict[str, Any]) -> str:
    withheld = [d["row"]["doc_id"] for d in docs if d["withheld"]]
    note = ""
    if withheld:
        note = (
            f'<p class="withheld" role="note">This is a stand-off release: the text of {len(withheld)} of '
            f"{len(docs)} documents is withheld, so their pages show metadata, offsets and counts only and the "
            "search box does not find their text. <code>irbc rehydrate RELEASE RAW_DIR --out DIR</code> "
            "rebuilds the full release with the full explorer.</p>"
        )
    name = result.description.get("name", "dataset")
    nav = "".join(
        f'<li><a href="#{k}">{k.capitalize()}</a></li>'
        for k in ("search", "documents", "codebook", "stances", "plots")
    )
    body = (
        f"<h1>{esc(name)} {esc(DATASET_VERSION)}: corpus explorer</h1>{note}"
        f'<nav aria-label="Contents"><ul class="inline">{nav}</ul></nav><main id="text">'
        + SEARCH.format(note="")
        + _documents(docs)
        + _codebook(docs, ctx)
        + _stances(docs, ctx)
        + _plots()
        + "</main>"
    )
    return page(f"{name}: corpus explorer", body, data=DATA_SCRIPTS)
