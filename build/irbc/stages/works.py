"""The ``works`` table: the cited works deduplicated across documents. Two citations cite the same work when
their keys are equal: the first author's surname (diacritics folded, lower-cased), the year, and the first five
words of the title (diacritics folded, lower-cased, punctuation dropped). A short form or "ibid." belongs to the
work of the full citation it ``refers_to``; one that refers to nothing (no year printed) keys on surname and title
alone, and joins the work of another document with the same surname and title words when exactly one such work
exists ("Pape, “Soft Balancing Against the United States.”" in one document, "Pape, R. A. (2005). Soft balancing
against the United States." in another)."""

from __future__ import annotations

import re
from typing import Any

from irbc.core.io import fold_diacritics

WORKS = "citations_v1"
TITLE_WORDS = 5


def _norm(s: str | None) -> str:
    return " ".join(re.findall(r"\w+", fold_diacritics(s or "").lower()))


def work_key(c: dict[str, Any]) -> str | None:
    """surname|year|first five title words; None when the citation names neither an author nor a title."""
    if not c.get("first_author_surname") and not c.get("title"):
        return None
    title = " ".join(_norm(c.get("title")).split()[:TITLE_WORDS])
    return f"{_norm(c.get('first_author_surname'))}|{c.get('year') or ''}|{title}"


def _aliases(keys: list[str]) -> dict[str, str]:
    """Year-less keys that name exactly one dated work (same surname and title words)."""
    dated: dict[tuple[str, str], set[str]] = {}
    for k in keys:
        sur, year, title = k.split("|", 2)
        if year:
            dated.setdefault((sur, title), set()).add(k)
    out = {}
    for k in keys:
        sur, year, title = k.split("|", 2)
        hits = dated.get((sur, title), set())
        if not year and len(hits) == 1:
            out[k] = next(iter(hits))
    return out


def work_rows(citations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per work, in order of its first citation (citations in document and note order); the work's
    fields come from its first full citation."""
    by_id = {c["citation_id"]: c for c in citations}
    keyed: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    for c in citations:
        full = by_id.get(c["refers_to"]) if c.get("refers_to") else None
        src = full if full is not None else c
        key = work_key(src)
        if key is not None:
            keyed.append((key, c, src))
    alias = _aliases([k for k, _, _ in keyed])
    works: dict[str, dict[str, Any]] = {}
    for key, c, src in keyed:
        key = alias.get(key, key)
        w = works.setdefault(key, {"key": key, "src": None, "doc_ids": [], "citation_ids": []})
        if w["src"] is None or (w["src"]["ibid"] and not src["ibid"] and work_key(src) == key):
            w["src"] = src
        w["citation_ids"].append(c["citation_id"])
        if c["doc_id"] not in w["doc_ids"]:
            w["doc_ids"].append(c["doc_id"])
    return [_row(i, w) for i, w in enumerate(works.values())]


def _row(i: int, w: dict[str, Any]) -> dict[str, Any]:
    src = w["src"]
    fields = (
        "first_author_surname",
        "authors",
        "year",
        "title",
        "container",
        "volume",
        "issue",
        "pages",
        "kind",
    )
    return {"work_id": f"w{i:04d}", "key": w["key"], **{f: src[f] for f in fields},
            "doc_ids": w["doc_ids"], "citation_ids": w["citation_ids"], "annotator": WORKS}  # fmt: skip


def withhold_works(rows: list[dict[str, Any]], withheld_docs: set[str], columns: list[str]) -> None:
    """In a stand-off release, null the withheld columns of every work cited only by withheld documents."""
    for w in rows:
        if set(w["doc_ids"]) <= withheld_docs:
            for col in columns:
                w[col] = None
