"""The ``mention_reviews`` table: the provenance of the ``curated_v1`` mention layer. One row per decision of a
review file (``corpus/annotations/mentions/<doc_id>.yaml``): the lexicon_v1 mention it reviews (or the span it
adds), the decision, the concept before and after, and the reviewer's comment, so a user can see from the release
which automatic spans were rejected or relabelled and why."""

from __future__ import annotations

from typing import Any

from irbc.annotators.anchoring import unit_at
from irbc.annotators.curated import CURATED, Decision, review_input, reviewed
from irbc.annotators.lexicon import LEXICON
from irbc.annotators.registry import Annotation, Annotator, DocInput, register
from irbc.core.io import sha256_file


def review_row(doc: DocInput, d: Decision) -> dict[str, Any]:
    u = unit_at(doc.units, d.start, d.end)
    assert u is not None  # apply_review anchored every span inside a unit
    span = f"{d.start}-{d.end}"
    return {
        "review_id": f"{doc.doc_id}-{'addition' if d.decision == 'add' else 'review'}-{span}",
        "doc_id": doc.doc_id,
        "section_id": u.section_id,
        "paragraph_id": u.id if u.kind == "paragraph" else None,
        "note_id": u.id if u.kind == "note" else None,
        "start": d.start,
        "end": d.end,
        "surface": doc.text[d.start : d.end],
        "decision": d.decision,
        "lexicon_mention_id": None if d.decision == "add" else f"{doc.doc_id}-{LEXICON}-{span}",
        "lexicon_concept_id": d.lexicon_concept,
        "curated_mention_id": None if d.curated_concept is None else f"{doc.doc_id}-{CURATED}-{span}",
        "curated_concept_id": d.curated_concept,
        "comment": d.comment,
        "annotator": CURATED,
    }


@register
class MentionReviews(Annotator):
    """Every decision of the documents that have a review file, as rows."""

    name = CURATED
    table = "mention_reviews"
    description = (
        "the curated_v1 review decisions themselves: every automatic mention accepted, rejected or relabelled "
        "and every added one, with the reviewer's comment"
    )
    needs = (f"concept_mentions/{LEXICON}", f"concept_mentions/{CURATED}")
    folder = "mentions"

    def annotate(self, doc: DocInput, earlier: dict[str, list[dict[str, Any]]]) -> Annotation | None:
        path = self.file_for(doc.doc_id)
        if not path.is_file():
            return None
        r = reviewed(doc, path, earlier[f"concept_mentions/{LEXICON}"], self.env.codebook)
        rows = sorted(
            (review_row(doc, d) for d in r.log), key=lambda x: (x["start"], x["end"], x["review_id"])
        )
        return Annotation(rows, {review_input(doc.doc_id): sha256_file(path)})
