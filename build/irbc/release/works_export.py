"""The cited works (the ``works`` table) as CSL-JSON (``works.json``, for citeproc and reference managers) and
BibTeX (``works.bib``). Values are the table's, as printed in the first full citation: a name printed "Surname,
I." becomes family and given parts, any other name a literal (CSL) or a braced entity (BibTeX), since splitting
it would be a guess. A stand-off release withholds what the table withholds (authors, titles, containers): its
entries then carry only the id, kind, year, volume, issue and pages, and ``irbc rehydrate`` writes them in full."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from irbc.release.citation import _tex
from irbc.release.exporters import ExportContext, exporter

CSL_TYPE = {"article": "article-journal", "book": "book", "chapter": "chapter", "report": "report",
            "web": "webpage", "interview": "interview", "other": "document"}  # fmt: skip
BIB_TYPE = {"article": "article", "book": "book", "chapter": "incollection", "report": "techreport"}
# where the container goes, per kind (CSL variable, BibTeX field)
CONTAINER = {"book": ("publisher", "publisher"), "report": ("publisher", "institution"),
             "chapter": ("container-title", "booktitle"), "article": ("container-title", "journal")}  # fmt: skip


def _csl_name(name: str) -> dict[str, str]:
    if name.count(",") == 1:
        family, given = (x.strip() for x in name.split(","))
        return {"family": family, "given": given}
    return {"literal": name}


def csl_item(w: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"id": w["work_id"], "type": CSL_TYPE[w["kind"]]}
    if w["authors"]:
        item["author"] = [_csl_name(a) for a in w["authors"]]
    if w["title"]:
        item["title"] = w["title"]
    if w["container"]:
        item[CONTAINER.get(w["kind"], ("container-title", ""))[0]] = w["container"]
    if w["year"]:
        y = w["year"]
        item["issued"] = {"date-parts": [[int(y)]]} if y.isdigit() else {"literal": y}
    for k in ("volume", "issue"):
        if w[k]:
            item[k] = w[k]
    if w["pages"]:
        item["page"] = w["pages"]
    return item


def bib_entry(w: dict[str, Any]) -> str:
    fields: list[tuple[str, str]] = []
    if w["authors"]:
        names = [a if a.count(",") == 1 else "{" + a + "}" for a in w["authors"]]
        fields.append(
            ("author", " and ".join(_tex(n) if n[0] != "{" else "{" + _tex(n[1:-1]) + "}" for n in names))
        )
    if w["title"]:
        fields.append(("title", "{" + _tex(w["title"]) + "}"))
    if w["container"]:
        fields.append((CONTAINER.get(w["kind"], ("", "howpublished"))[1], _tex(w["container"])))
    for k in ("year", "volume"):
        if w[k]:
            fields.append((k, _tex(w[k])))
    if w["issue"]:
        fields.append(("number", _tex(w["issue"])))
    if w["pages"]:
        fields.append(("pages", _tex(w["pages"])))
    body = ",\n".join(f"  {k:<12} = {{{v}}}" for k, v in fields)
    return (
        "@" + BIB_TYPE.get(w["kind"], "misc") + "{" + w["work_id"] + (",\n" + body if body else ",") + "\n}"
    )


def _works(ctx: ExportContext) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = ctx.result.tables.read("works").to_pylist()
    return rows


@exporter(
    "works_csl_v1", "works.json", description="the cited works (works table) as CSL-JSON", report_free=True
)
def write_csl(release: Path, ctx: ExportContext) -> None:
    items = [csl_item(w) for w in _works(ctx)]
    text = json.dumps(items, ensure_ascii=False, indent=1) + "\n"
    (release / "works.json").write_text(text, encoding="utf-8")


@exporter(
    "works_bibtex_v1", "works.bib", description="the cited works (works table) as BibTeX", report_free=True
)
def write_bib(release: Path, ctx: ExportContext) -> None:
    text = "\n\n".join(bib_entry(w) for w in _works(ctx)) + "\n"
    (release / "works.bib").write_text(text, encoding="utf-8")
