"""The ``works`` table: the cited works deduplicated across documents. Two citations cite the same work when
their keys are equal: the first author's surname (diacritics folded, lower-cased), the year, and the first five
words of the title (diacritics folded, lower-cased, punctuation dropped). A short form or "ibid." belongs to the
work of the full citation it ``refers_to``; one that refers to nothing keys on surname and title alone."""

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


def work_rows(citations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per work, in order of its first citation (citations in document and note order)."""
    by_id = {c["citation_id"]: c for c in citations}
    works: dict[str, dict[str, Any]] = {}
    for c in citations:
        full = by_id.get(c["refers_to"]) if c.get("refers_to") else None
        key = work_key(full if full is not None else c)
        if key is None:
            continue
        w = works.get(key)
        if w is None:
            src = full if full is not None else c
            w = works[key] = {
                "work_id": f"w{len(works):04d}",
                "key": key,
                "first_author_surname": src["first_author_surname"],
                "authors": src["authors"],
                "year": src["year"],
                "title": src["title"],
                "container": src["container"],
                "kind": src["kind"],
                "doc_ids": [],
                "citation_ids": [],
                "annotator": WORKS,
            }
        w["citation_ids"].append(c["citation_id"])
        if c["doc_id"] not in w["doc_ids"]:
            w["doc_ids"].append(c["doc_id"])
    return list(works.values())


def withhold_works(rows: list[dict[str, Any]], withheld_docs: set[str], columns: list[str]) -> None:
    """In a stand-off release, null the withheld columns of every work cited only by withheld documents."""
    for w in rows:
        if set(w["doc_ids"]) <= withheld_docs:
            for col in columns:
                w[col] = None
