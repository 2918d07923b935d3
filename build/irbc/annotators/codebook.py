"""The concept codebook as validated data: unique ids, no surface form claimed twice, broader links that exist
and form no cycle; its concepts table rows; the corpus quotes it cites checked against the clean text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from irbc.annotators.anchoring import anchor
from irbc.core.errors import InputError
from irbc.core.io import load_config_file
from irbc.core.yamlio import LINE_KEY


@dataclass(frozen=True)
class Codebook:
    version: str
    concepts: list[dict[str, Any]]
    form_to_concept: dict[str, str]

    @property
    def ids(self) -> set[str]:
        return {c["concept_id"] for c in self.concepts}


def validate_codebook(data: dict[str, Any], file: str) -> Codebook:
    """Codebook rules beyond the JSON Schema: unique ids, no surface form claimed twice, broader ids exist,
    no cycles. Unknown labels fail loudly."""
    ids: dict[str, int] = {}
    for i, c in enumerate(data["concepts"]):
        cid = c["concept_id"]
        if cid in ids:
            raise InputError(file, f"/concepts/{i}/concept_id", f"duplicate concept id {cid!r}")
        ids[cid] = i
    forms: dict[str, str] = {}
    for i, c in enumerate(data["concepts"]):
        for j, f in enumerate(c["surface_forms"]):
            key = " ".join(f.split())
            if key in forms:
                raise InputError(
                    file,
                    f"/concepts/{i}/surface_forms/{j}",
                    f"surface form {f!r} is claimed by both {forms[key]!r} and {c['concept_id']!r}",
                )
            forms[key] = c["concept_id"]
        for j, b in enumerate(c["broader"]):
            if b not in ids:
                raise InputError(file, f"/concepts/{i}/broader/{j}", f"unknown broader concept {b!r}")
    parents = {c["concept_id"]: c["broader"] for c in data["concepts"]}
    for cid in parents:
        seen, stack = set(), list(parents[cid])
        while stack:
            p = stack.pop()
            if p == cid:
                raise InputError(
                    file, f"/concepts/{ids[cid]}/broader", f"cycle in broader links through {cid!r}"
                )
            if p not in seen:
                seen.add(p)
                stack.extend(parents.get(p, []))
    concepts = [{k: v for k, v in c.items() if k != LINE_KEY} for c in data["concepts"]]
    return Codebook(data["codebook_version"], concepts, forms)


def load_codebook(path: Path) -> Codebook:
    data = load_config_file(path, "codebook")
    return validate_codebook(data, str(path))


def check_codebook_quotes(codebook: Codebook, texts: dict[str, str], file: str) -> None:
    for c in codebook.concepts:
        src = c["source"]
        if src["kind"] != "corpus_quote":
            continue
        if src["doc_id"] not in texts:
            continue  # a document not in this corpus build (e.g. a user's subset): nothing to check against
        anchor(texts[src["doc_id"]], src["quote"], src.get("occurrence"), file, None)


def concept_rows(codebook: Codebook) -> list[dict[str, Any]]:
    rows = []
    for c in codebook.concepts:
        src = c["source"]
        rows.append(
            {
                "concept_id": c["concept_id"],
                "label": c["label"],
                "facet": c["facet"],
                "definition": " ".join(c["definition"].split()),
                "source_kind": src["kind"],
                "source_text": src.get("quote") or src.get("reference"),
                "source_doc_id": src.get("doc_id"),
                "surface_forms": list(c["surface_forms"]),
                "broader": list(c["broader"]),
                "codebook_version": codebook.version,
            }
        )
    return rows
