"""DATASHEET.md: answers to "Datasheets for Datasets" and a data statement (``templates/datasheet.md``), every
count computed from the built tables, every field table derived from schema/, the corpus-specific answers from
the corpus description (corpus/dataset.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbc.core.result import BuildResult
from irbc.core.schema import TABLES
from irbc.release.citation_graph import citation_scores_table
from irbc.release.docs import AGREEMENT
from irbc.release.exporters import ExportContext, exporter
from irbc.release.markdown import fields_table, md_table, pct, render
from irbc.release.stats import common_values, doc_rows, first_row, stats

DOC_COLUMNS = [
    "doc_id",
    "genre",
    "authors",
    "date",
    "words",
    "sections",
    "paragraphs",
    "notes",
    "callouts",
    "callout links",
    "citations",
    "raw chars",
    "chars removed",
]
NULL_FIELDS = ("authors", "date", "venue", "publisher", "doi", "url", "rights")


def doc_table(result: BuildResult, st: dict[str, Any]) -> str:
    rows = []
    per = {d["doc_id"]: d for d in result.summary["documents"]}
    for d in doc_rows(result):
        s = per[d["doc_id"]]
        rows.append(
            [
                d["doc_id"],
                d["genre"],
                "; ".join(d["authors"]) or "— (not stated)",
                d["date"] or "— (not stated)",
                st["words"][d["doc_id"]],
                s["sections"],
                s["paragraphs"],
                s["notes"],
                s.get("callouts_distinct", s["callouts_linked"]),
                s["callouts_linked"],
                s.get("citations", 0),
                s["chars_raw"],
                s["chars_removed"],
            ]
        )
    return md_table(DOC_COLUMNS, rows)


def removed_table(st: dict[str, Any]) -> str:
    rows = [[a, r, n, st["chars_by_reason"][(a, r)]] for (a, r), n in sorted(st["by_reason"].items())]
    return md_table(["action", "reason (rule id or normalisation)", "spans", "raw chars"], rows)


def scores_table(result: BuildResult) -> str:
    sc = result.scores
    if not sc:
        return "No curated mention review was present in this build, so no figures are reported."
    o = sc["overall"]
    lines = [
        f"Overall, over the main-text paragraphs of {len(sc['documents'])} reviewed documents "
        f"(exact span and concept match): precision **{pct(o['precision'])}**, recall **{pct(o['recall'])}**, "
        f"F1 **{pct(o['f1'])}** (TP {o['tp']}, FP {o['fp']}, FN {o['fn']}).",
        "",
    ]
    rows = [
        [c, v["tp"], v["fp"], v["fn"], pct(v["precision"]), pct(v["recall"])]
        for c, v in sc["per_concept"].items()
    ]
    lines.append(md_table(["concept", "TP", "FP", "FN", "precision", "recall"], rows))
    return "\n".join(lines)


def rights_table(result: BuildResult) -> str:
    rows = [
        [d["doc_id"], d["rights"] or "none stated in the scrape", d["venue"] or d["site"]]
        for d in doc_rows(result)
    ]
    return md_table(["doc_id", "rights statement in the source", "venue / site"], rows)


def agreement_text(result: BuildResult) -> str:
    ag = result.summary.get("agreement", {}).get("stances")
    if not ag:
        return "No inter-annotator agreement was measured: each file had one annotator. This is a limitation."
    kappa = "undefined" if ag["cohen_kappa"] is None else f"{ag['cohen_kappa']:.3f}"
    first, second = ag["annotators"]
    rows = [[x] + [ag["confusion"][x][y] for y in ag["confusion"][x]] for x in ag["confusion"]]
    head = [f"{first} (rows) / {second} (columns)", *ag["confusion"]]
    return (
        f"**Agreement.** An independent second annotator (`{second}`), blind to the curated files, labelled the "
        f"author stance of {ag['items']} document × target pairs "
        f"(`{AGREEMENT}`, shipped in this release, and released as the `{second}` rows of `stances`, so the "
        f"figures can be recomputed from the table). Observed agreement with `{first}`: "
        f"**{ag['observed_agreement']:.3f}**; Cohen's κ: **{kappa}**. The curated stances are the `{first}` rows; "
        f"the disagreements ({len(ag['disagreements'])}) are listed in `build_summary.json`. Reported-holder and "
        "school rows and evidence spans had one annotator. Curated labels revised after the second pass was known "
        "(see the guidelines' revision section) make this an upper bound on blind agreement. Confusion matrix "
        "(rows: first annotator):\n\n" + md_table(head, rows)
    )


def missing_table(result: BuildResult) -> str:
    """What the sources manifest records about each scrape, and what the build found."""
    notes_by_doc = {x["doc_id"]: x.get("notes", "") for x in result.config.get("sources", [])}
    orphan: dict[str, list[str]] = {}
    for dg in result.diagnostics:
        if dg["code"] == "callout_without_note":
            orphan.setdefault(dg["doc_id"], []).append(dg["message"])
    rows = []
    for d in result.summary["documents"]:
        found = []
        if d["notes_without_callout"]:
            found.append(f"{d['notes_without_callout']} of {d['notes']} notes have no callout in the text")
        found += orphan.get(d["doc_id"], [])
        rows.append([d["doc_id"], notes_by_doc.get(d["doc_id"]) or "—", "; ".join(found) or "—"])
    return md_table(["doc_id", "recorded in the sources manifest", "found by the build"], rows)


def _counts(st: dict[str, Any]) -> dict[str, Any]:
    by_action = {
        a: sum(n for (x, _), n in st["by_reason"].items() if x == a)
        for a in ("remove", "metadata", "normalize")
    }
    diag_rows = [[c, n] for c, n in sorted(st["diagnostics"].items())]
    return {
        "removed_noise": by_action["remove"],
        "moved": by_action["metadata"],
        "normalised": by_action["normalize"],
        "mentions_lexicon": st["mentions_by_annotator"]["lexicon_v1"],
        "mentions_curated": st["mentions_by_annotator"]["curated_v1"],
        "stance_table": md_table(
            ["attribution", "stance", "rows"],
            [[a, s, n] for (a, s), n in sorted(st["stance_labels"].items())],
        ),
        "diagnostics_table": md_table(["code", "count"], diag_rows) if diag_rows else "None.",
        "removed_table": removed_table(st),
    }


def datasheet(result: BuildResult, report_json: dict[str, Any]) -> str:
    st = stats(result)
    null_meta = [
        [d["doc_id"], ", ".join(k for k in NULL_FIELDS if not d[k]) or "—"] for d in doc_rows(result)
    ]
    values = common_values(result, report_json)
    values.update(_counts(st))
    values.update(
        doc_table=doc_table(result, st),
        missing_table=missing_table(result),
        null_meta_table=md_table(
            ["doc_id", "metadata fields that are null (not stated in the source)"], null_meta
        ),
        field_sections="\n\n".join(f"#### `{t}`\n\n{fields_table(t)}" for t in TABLES),
        codebook_version=first_row(result, "concepts").get("codebook_version", "n/a"),
        scores_table=scores_table(result),
        citation_scores_table=citation_scores_table(result),
        callouts_distinct=sum(d.get("callouts_distinct", 0) for d in result.summary["documents"]),
        callout_links=sum(d["callouts_linked"] for d in result.summary["documents"]),
        agreement_text=agreement_text(result),
        rights_table=rights_table(result),
    )
    return render("datasheet.md", values, {"sheet": result.description["datasheet"]})


@exporter(
    "datasheet_v1",
    "DATASHEET.md",
    description="answers to Datasheets for Datasets and a data statement, with counts from the tables",
)
def write_datasheet(release: Path, ctx: ExportContext) -> None:
    (release / "DATASHEET.md").write_text(datasheet(ctx.result, ctx.report_json), encoding="utf-8")
