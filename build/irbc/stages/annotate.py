"""The annotate stage: every registered annotator over one document, in order (``irbc.annotators``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from irbc.annotators.anchoring import units_of
from irbc.annotators.codebook import check_codebook_quotes
from irbc.annotators.registry import Annotator, DocInput
from irbc.stages.document import DocResult


@dataclass
class Annotated:
    rows: dict[str, list[dict[str, Any]]]  # per table (concept_mentions, stances)
    inputs: dict[str, str] = field(default_factory=dict)  # annotation files read, with their SHA-256
    reviewed: list[dict[str, Any]] | None = None  # every mention row of a document a gold layer reviewed


def annotate_document(annotators: list[Annotator], res: DocResult) -> Annotated:
    """Run the annotators (each sees the rows of those before it); mention rows are ordered by annotator and
    offset. The codebook's quotes from this document are checked against its clean text first."""
    doc_id, text = res.document.doc_id, res.document.text or ""
    env = annotators[0].env if annotators else None
    if env is not None:
        check_codebook_quotes(env.codebook, {doc_id: text}, env.codebook_file)
    doc = DocInput(doc_id, text, units_of(res.paragraphs, res.notes, res.sentences))
    out = Annotated({a.table: [] for a in annotators})
    by_key: dict[str, list[dict[str, Any]]] = {}
    gold_ran = False
    for a in annotators:
        got = a.annotate(doc, by_key)
        if got is None:
            continue
        by_key[a.key()] = got.rows
        out.rows[a.table].extend(got.rows)
        out.inputs.update(got.inputs)
        gold_ran = gold_ran or a.gold
    mentions = out.rows.get("concept_mentions", [])
    if gold_ran:
        out.reviewed = [dict(m) for m in mentions]
    out.rows["concept_mentions"] = sorted(mentions, key=lambda m: (m["annotator"], m["start"]))
    return out
