"""The ``works`` table: the cited works deduplicated across documents. Two citations cite the same work when
their keys are equal: the first author's surname (diacritics folded, lower-cased), the year, and the first five
words of the title (diacritics folded, lower-cased, punctuation dropped). A short form or "ibid." belongs to the
work of the full citation it ``refers_to``; one that refers to nothing (no year printed) keys on surname and title
alone, and joins the work of another document with the same surname and title words when exactly one such work
exists ("Pape, “Soft Balancing Against the United States.”" in one document, "Pape, R. A. (2005). Soft balancing
against the United States." in another)."""

from __future__ import annotations

import heapq
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


SOURCE_FIELDS = (
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
# what the works need of one citation: (its key before aliases, citation_id, doc_id, its source), where the source
# is (ibid, *SOURCE_FIELDS) of the citation itself or of the full citation it refers to (the citations of one full
# citation share one tuple). Workers send these instead of whole rows, so the driver holds a few tuples per
# citation, not a dict of every column.
WorkCite = tuple[str, str, str, tuple[Any, ...]]


def work_citations(citations: list[dict[str, Any]]) -> list[WorkCite]:
    """Citation rows, in document and note order, as ``works_from`` needs them. A short form or "ibid." refers to
    a citation of its own document, so the documents can be taken one at a time."""
    by_id = {c["citation_id"]: c for c in citations}
    sources: dict[str, tuple[Any, ...]] = {}
    out: list[WorkCite] = []
    for c in citations:
        full = by_id.get(c["refers_to"]) if c.get("refers_to") else None
        src = full if full is not None else c
        key = work_key(src)
        if key is None:
            continue
        got = sources.get(src["citation_id"])
        if got is None:
            got = sources[src["citation_id"]] = (src["ibid"], *(src[f] for f in SOURCE_FIELDS))
        out.append((key, c["citation_id"], c["doc_id"], got))
    return out


class Works:
    """The works, gathered as citations arrive (a document at a time, in document and note order) without
    keeping every citation's fields: per key (before aliases) the first citation's source and the first full
    one's, and per citation its position, id and document. ``rows`` then applies the aliases."""

    def __init__(self) -> None:
        # own key -> [position of its first citation, that citation's source, first non-ibid source, citations]
        self._own: dict[str, list[Any]] = {}
        self._seen = 0

    def add(self, cites: list[WorkCite]) -> None:
        for own, citation_id, doc_id, src in cites:
            o = self._own.get(own)
            if o is None:
                o = self._own[own] = [self._seen, src, None, []]
            if o[2] is None and not src[0]:
                o[2] = src
            o[3].append((self._seen, citation_id, doc_id))
            self._seen += 1

    def rows(self) -> list[dict[str, Any]]:
        """One row per work, in order of its first citation; its fields come from its first citation, or, if
        that is an "ibid." form, from the first full citation with the work's own key (not an aliased one)."""
        alias = _aliases(list(self._own))
        groups: dict[str, list[str]] = {}
        for own in self._own:
            groups.setdefault(alias.get(own, own), []).append(own)
        ordered = sorted(groups.items(), key=lambda g: min(self._own[o][0] for o in g[1]))
        out = []
        for i, (key, owns) in enumerate(ordered):
            src = self._own[min(owns, key=lambda o: self._own[o][0])][1]
            if src[0] and self._own[key][2] is not None:
                src = self._own[key][2]
            cites = list(heapq.merge(*(self._own[o][3] for o in owns)))
            w = {"key": key, "src": src, "doc_ids": list(dict.fromkeys(d for _, _, d in cites))}
            w["citation_ids"] = [c for _, c, _ in cites]
            out.append(_row(i, w))
        return out


def works_from(cites: list[WorkCite]) -> list[dict[str, Any]]:
    """One row per work, in order of its first citation (``cites`` in document and note order)."""
    works = Works()
    works.add(cites)
    return works.rows()


def work_rows(citations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The works of whole citation rows (``work_citations`` then ``works_from``)."""
    return works_from(work_citations(citations))


def _row(i: int, w: dict[str, Any]) -> dict[str, Any]:
    src = w["src"]
    return {"work_id": f"w{i:04d}", "key": w["key"], **dict(zip(SOURCE_FIELDS, src[1:], strict=True)),
            "doc_ids": w["doc_ids"], "citation_ids": w["citation_ids"], "annotator": WORKS}  # fmt: skip


def withhold_works(rows: list[dict[str, Any]], withheld_docs: set[str], columns: list[str]) -> None:
    """In a stand-off release, null the withheld columns of every work cited only by withheld documents."""
    for w in rows:
        if set(w["doc_ids"]) <= withheld_docs:
            for col in columns:
                w[col] = None
