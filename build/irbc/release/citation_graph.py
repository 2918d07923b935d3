"""The citation graph in the card and the citation parser's scores in the DATASHEET, computed from the
``citations`` and ``works`` tables and the build summary."""

from __future__ import annotations

from collections import Counter
from typing import Any

from irbc.annotators.citation_scores import SAMPLE
from irbc.core.result import BuildResult
from irbc.release.markdown import md_table, pct


def _label(w: dict[str, Any]) -> str:
    if w["title"] is None:
        return f"`{w['work_id']}` (withheld in this stand-off release)"
    return f"{w['first_author_surname'] or '—'} ({w['year'] or 'n.d.'}), {w['title']}"


def graph_section(result: BuildResult) -> str:
    """Cited works per document, and the works that more than one document cites."""
    works = result.tables.read("works").to_pylist()
    cites = result.tables.read("citations", ["doc_id", "ibid"]).to_pylist()
    per_doc = Counter(c["doc_id"] for c in cites)
    short = Counter(c["doc_id"] for c in cites if c["ibid"])
    distinct = Counter(d for w in works for d in w["doc_ids"])
    shared = Counter(d for w in works if len(w["doc_ids"]) > 1 for d in w["doc_ids"])
    rows = [[d, per_doc[d], short[d], distinct[d], shared[d]] for d in per_doc]
    head = [
        "doc_id",
        "citations",
        "of them ibid / short forms",
        "distinct works",
        "works shared with another document",
    ]
    lines = [md_table(head, rows), ""]
    multi = [w for w in works if len(w["doc_ids"]) > 1]
    if multi:
        lines.append("Works cited by more than one document (`works.doc_ids`):")
        lines.append("")
        lines.append(
            md_table(
                ["work", "cited by", "citations"],
                [[_label(w), ", ".join(w["doc_ids"]), len(w["citation_ids"])] for w in multi],
            )
        )
    else:
        lines.append("No work is cited by more than one document.")
    return "\n".join(lines)


FIELD_NAMES = {"citation": "citation found (row level)"}


def citation_scores_table(result: BuildResult) -> str:
    sc = result.summary.get("citation_scores")
    if not sc:
        return "No hand-checked citation sample was present in this build, so no figures are reported."
    rows = [
        [FIELD_NAMES.get(f, f"`{f}`"), v["tp"], v["fp"], v["fn"], pct(v["precision"]), pct(v["recall"])]
        for f, v in sc["fields"].items()
    ]
    return (
        f"Against the hand-checked sample (`corpus/{SAMPLE}` in the project repository, not shipped: it "
        "copies note text that a stand-off release withholds; "
        f"{sc['notes']} notes, {sc['citations']} citations), field by field (a value counts as right only if it "
        "equals the sampled value exactly):\n\n"
        + md_table(["field", "TP", "FP", "FN", "precision", "recall"], rows)
    )
