"""Pieces of the dataset card that are computed rather than written: the annotation layers (from the annotator
registry and the tables), the source data producers (from the documents table), the stance agreement (from the
build summary), and the Dataset Sources answers (from the corpus description, null meaning none)."""

from __future__ import annotations

from typing import Any

from irbc.core.result import BuildResult
from irbc.release.docs import AGREEMENT
from irbc.release.markdown import md_table, md_text
from irbc.release.stats import doc_rows, stats
from irbc.release.views import VIEWS

NOT_STATED = "not stated"


def _layers() -> list[Any]:
    import irbc.annotators  # noqa: F401  (registers every annotator)
    from irbc.annotators.registry import registered

    return registered()


def annotation_layers(result: BuildResult) -> str:
    """The annotator layers, from the annotator registry (name, table, description) and the tables (rows), and
    the views that hold one layer alone."""
    rows_by_layer = stats(result)["layer_rows"]
    rows = [
        [
            f"`{a.name}`",
            f"`{a.table}`",
            "automatic" if a.automatic else "by people",
            rows_by_layer.get((a.table, a.name), 0),
            md_text(a.description),
        ]
        for a in _layers()
    ]
    views = "; ".join(
        f"`{v.name}` holds {v.summary} alone, in the same order and with the same "
        "fields (a view the build derives from the table; `irbc validate` checks that it equals them)"
        for v in VIEWS
        if v.annotator is not None
    )
    return (
        md_table(["annotator", "table", "made", "rows", "what"], rows) + f"\n\nConfigs of one layer: {views}."
    )


def mention_layers(result: BuildResult) -> str:
    """Rows per layer of concept_mentions, in registry order: "828 by `lexicon_v1`, 722 by `curated_v1`"."""
    rows_by_layer = stats(result)["layer_rows"]
    return ", ".join(
        f"{rows_by_layer.get((a.table, a.name), 0)} by `{a.name}`"
        for a in _layers()
        if a.table == "concept_mentions"
    )


def automatic_layers() -> str:
    names = [f"`{a.name}`" for a in _layers() if a.automatic]
    if not names:
        return ""
    return f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} made by a program (the `irbc` package), unreviewed."


def views_list() -> str:
    return ", ".join(f"`{v.name}`: {v.summary}" for v in VIEWS)


def producers_table(result: BuildResult) -> str:
    rows = [
        [
            d["doc_id"],
            d["genre"].replace("_", " "),
            md_text("; ".join(d["authors"])) or NOT_STATED,
            md_text(d["venue"] or f"{NOT_STATED} (site tag: {d['site']})"),
            md_text(d["publisher"] or NOT_STATED),
        ]
        for d in doc_rows(result)
    ]
    return md_table(["doc_id", "genre", "authors", "venue", "publisher"], rows)


def agreement_sentence(result: BuildResult) -> str:
    ag = result.summary.get("agreement", {}).get("stances")
    if not ag:
        return "No inter-annotator agreement was measured."
    first, second = ag["annotators"]
    kappa = "undefined" if ag["cohen_kappa"] is None else f"{ag['cohen_kappa']:.3f}"
    return (
        f"A blind second annotator (`{second}`) labelled the author stance of {ag['items']} document × target "
        f"pairs: observed agreement with `{first}` {ag['observed_agreement']:.3f}, Cohen's κ {kappa} (data in "
        f"`{AGREEMENT}`; confusion matrix in the DATASHEET)."
    )


def sources_answers(desc: dict[str, Any]) -> dict[str, str]:
    """Dataset Details' Shared by and Dataset Sources: what the description states, else "not assigned"/"none"."""
    repo = desc["citation"].get("repository")
    url = desc["citation"].get("url")
    authors = ", ".join(a["name"] for a in desc["citation"]["authors"])
    shared = (
        f"{authors}, at {url or repo}" if url or repo else "not shared yet: no public home has been assigned."
    )
    return {
        "shared_by": shared,
        "repository": repo or "not assigned",
        "paper": desc["card"]["paper"] or "none",
        "demo": desc["card"]["demo"] or "none",
    }
