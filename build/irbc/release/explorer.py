"""The corpus explorer: a static site in ``explorer/`` that works from disk with no network (every script and
style is in the folder; data the pages search is a script file, since browsers refuse ``fetch`` of file://).
``index.html`` lists the documents with their metadata and counts, the codebook by facet, the stance targets
with a document × target matrix of author stances, the plots and a search box; one page per document
(``explorer_doc``, or ``explorer_standoff`` where the text is withheld). Pages are made from the tables a
document at a time, so the bytes never depend on anything but the tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from irbc.core.result import BuildResult
from irbc.release import explorer_rows
from irbc.release.explorer_doc import doc_page
from irbc.release.explorer_index import index_page
from irbc.release.explorer_page import ASSETS, asset, legend
from irbc.release.explorer_pool import compact_json, render_pages, search_entries
from irbc.release.explorer_standoff import standoff_page
from irbc.release.exporters import ExportContext, exporter
from irbc.release.views import CURATED_MENTIONS, CURATED_STANCES

EXPLORER = "explorer"
META_FIELDS = (
    "doc_id", "authors", "date", "venue", "publisher", "genre", "site", "language", "doi", "url", "keywords",
    "clean_chars", "removed_chars",
)  # fmt: skip


class DocGroups:
    """A table's rows grouped by document: one slice per document. The build writes each document's rows
    together, so the runs of equal doc_id are found without copying the table; a table whose documents are
    not contiguous is sorted (stably) first."""

    def __init__(self, tbl: pa.Table) -> None:
        runs = self._runs(tbl)
        if runs is None:
            tbl = tbl.take(pc.sort_indices(tbl, [("doc_id", "ascending")]))
            runs = self._runs(tbl)
        assert runs is not None
        self.tbl, self.where = tbl, runs

    @staticmethod
    def _runs(tbl: pa.Table) -> dict[str, tuple[int, int]] | None:
        n = tbl.num_rows
        if n == 0:
            return {}
        ids = tbl["doc_id"].combine_chunks()
        change = pc.not_equal(ids.slice(1), ids.slice(0, n - 1))
        starts = [0, *(i + 1 for i in pc.indices_nonzero(change).to_pylist()), n]
        names = ids.take(pa.array(starts[:-1])).to_pylist()
        if len(set(names)) != len(names):
            return None
        return {d: (a, b) for d, a, b in zip(names, starts, starts[1:], strict=False)}

    def rows(self, doc_id: str) -> list[dict[str, Any]]:
        a, b = self.where.get(doc_id, (0, 0))
        rows: list[dict[str, Any]] = self.tbl.slice(a, b - a).to_pylist()
        return rows


def _concepts(result: BuildResult) -> tuple[dict[str, dict[str, Any]], list[str]]:
    rows = result.tables.read("concepts", ["concept_id", "label", "facet", "definition"]).to_pylist()
    facets = sorted({r["facet"] for r in rows})
    return {r["concept_id"]: {**r, "fx": facets.index(r["facet"])} for r in rows}, facets


def _context(result: BuildResult) -> dict[str, Any]:
    concepts, facets = _concepts(result)
    annotators = result.tables.read("concept_mentions", ["annotator"])["annotator"]
    layers = sorted(set(pc.unique(annotators).to_pylist()))
    layers.sort(key=lambda x: x != CURATED_MENTIONS.annotator)
    targets = result.tables.read("stance_targets").to_pylist()
    return {
        "concepts": concepts,
        "facets": facets,
        "layers": layers,
        "targets": {t["target_id"]: t["proposition"] for t in targets},
        "target_rows": targets,
        "meta_fields": META_FIELDS,
        "legend": legend(facets),
    }


def documents(result: BuildResult) -> Iterator[dict[str, Any]]:
    """Each document with its rows of every per-document table, in the documents table's order, from whole
    tables (explorer_rows reads them a document at a time where their rows are in document order)."""
    per_doc = explorer_rows.PER_DOC.items()
    groups = {k: DocGroups(result.tables.read(t, list(cols) if cols else None)) for k, (t, cols) in per_doc}
    for row in result.tables.read("documents").to_pylist():
        doc: dict[str, Any] = {k: g.rows(row["doc_id"]) for k, g in groups.items()}
        doc["row"] = row
        yield prepare(doc)


def summary(doc: dict[str, Any]) -> dict[str, Any]:
    """What the index says of a document: metadata, counts, author stances and its searchable paragraphs."""
    layers = Counter(m["annotator"] for m in doc["mentions"])
    return {
        "row": {k: v for k, v in doc["row"].items() if k != "text"},
        "withheld": doc["row"]["text"] is None,
        "counts": {
            "sections": len(doc["sections"]),
            "paragraphs": len(doc["paragraphs"]),
            "notes": len(doc["notes"]),
            "stances": len(doc["stances"]),
            "audit spans": len(doc["removed"]),
            **{f"mentions ({k})": v for k, v in sorted(layers.items())},
        },
        "author_stances": {s["target_id"]: s["stance"] for s in doc["stances"] if s["holder"] == "author"},
        "curated": Counter(
            m["concept_id"] for m in doc["mentions"] if m["annotator"] == CURATED_MENTIONS.annotator
        ),
        "lexicon": Counter(
            m["concept_id"] for m in doc["mentions"] if m["annotator"] != CURATED_MENTIONS.annotator
        ),
        "search": [[p["paragraph_id"], p["text"]] for p in doc["paragraphs"] if p["text"] is not None]
        + [[n["note_id"], n["text"]] for n in doc["notes"] if n["text"] is not None],
    }


def _js(name: str, value: Any) -> bytes:
    return f"window.{name} = {compact_json(value)};\n".encode()


def prepare(doc: dict[str, Any]) -> dict[str, Any]:
    """A document's rows of every table -> the document its page shows."""
    # the curated stances: the blind second pass (author labels only) is for agreement, not for reading
    doc["stances"] = [s for s in doc["stances"] if s["annotator"] == CURATED_STANCES.annotator]
    doc["default_layer"] = CURATED_MENTIONS.annotator
    return doc


def render(doc: dict[str, Any], c: dict[str, Any]) -> str:
    return (standoff_page if doc["row"]["text"] is None else doc_page)(doc, c)


def _write_whole(out: Path, result: BuildResult, c: dict[str, Any], search: Any) -> list[dict[str, Any]]:
    """Every page from whole tables grouped by document: for tables whose rows are not in document order."""
    docs = []
    sep = ""
    for doc in documents(result):
        (out / f"{doc['row']['doc_id']}.html").write_text(render(doc, c), encoding="utf-8")
        docs.append(summary(doc))
        pairs = docs[-1].pop("search")
        if pairs:
            search.write(sep + search_entries(doc["row"]["doc_id"], pairs))
            sep = ","
    return docs


@exporter(
    "explorer_pages_v1",
    f"{EXPLORER}/",
    description="the corpus explorer's pages, one per document (text, mentions of both layers, stance evidence, "
    "notes, audit), with its scripts, styles and data: everything it needs, nothing from the network",
    report_free=True,
)
def write_pages(release: Path, ctx: ExportContext) -> None:
    out = release / EXPLORER
    out.mkdir(exist_ok=True)
    for name in ASSETS:
        (out / name).write_bytes(asset(name))
    c = _context(ctx.result)
    tables = ctx.result.tables
    p = explorer_rows.plan(tables)
    with (out / "search.js").open("w", encoding="utf-8") as search:  # streamed: one document at a time
        search.write("window.IRBC_SEARCH = [")
        if p is None:
            docs = _write_whole(out, ctx.result, c, search)
        else:
            job = {"out": out, "tables": tables, "plan": p, "context": c}
            job.update(prepare=prepare, render=render, summary=summary)
            docs = render_pages(job, search, ctx.result.workers)
        search.write("];\n")
    (out / "codebook.js").write_bytes(_js("IRBC_CODEBOOK", c["concepts"]))
    ctx.result.derived[EXPLORER] = (docs, c)  # for the index: metadata and counts only


@exporter(
    "explorer_index_v1",
    f"{EXPLORER}/index.html",
    description="the corpus explorer: open it from disk (offline) for the documents, the codebook, the stances, "
    "the plots and a search box over the text",
    report_free=True,
)
def write_index(release: Path, ctx: ExportContext) -> None:
    if EXPLORER not in ctx.result.derived:
        write_pages(release, ctx)
    docs, c = ctx.result.derived[EXPLORER]
    (release / EXPLORER / "index.html").write_text(index_page(ctx.result, docs, c), encoding="utf-8")
