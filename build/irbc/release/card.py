"""The dataset card (the release's README.md): the Hub's YAML header and ``templates/card.md`` (the sections of
the Hub's dataset card template), filled from the built tables, schema/, the annotator and exporter registries and
the corpus description (corpus/dataset.yaml: its ``card`` and ``datasheet`` blocks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from irbc import DATASET_VERSION
from irbc.core.result import BuildResult
from irbc.core.schema import TABLES, load_schema
from irbc.core.tables import table_path
from irbc.release import card_sections as cs
from irbc.release.citation import DESCRIPTION_FILE, LICENSE_FILE, citation_apa, citation_bibtex
from irbc.release.citation_graph import graph_section
from irbc.release.exporters import ExportContext, exporter, registered_exporters
from irbc.release.hf import card_yaml
from irbc.release.manifest import MANIFEST, MANIFEST_DESCRIPTION
from irbc.release.markdown import fields_table, md_table, md_text, pct, render
from irbc.release.plots import card_pictures
from irbc.release.rights import BUILD_INPUTS, SOURCES, WITHHOLD, result_publishable
from irbc.release.stats import common_values, first_row, stats
from irbc.release.views import CURATED_MENTIONS, CURATED_STANCES

DATA_DESCRIPTION = "the tables, one Parquet file each: one config per table (see Tables)"


def _example(row: dict[str, Any]) -> dict[str, Any]:
    short = {k: (v[:120] + "…" if isinstance(v, str) and len(v) > 120 else v) for k, v in row.items()}
    if isinstance(short.get("evidence"), list):
        short["evidence"] = short["evidence"][:1]
    if isinstance(short.get("callouts"), list):
        short["callouts"] = short["callouts"][:2]
    return short


def _table_sections(result: BuildResult) -> str:
    """One section per table: description, row count, field table (from schema/), an example row."""
    st = stats(result)
    out = []
    for t in TABLES:
        example = json.dumps(_example(first_row(result, t)), ensure_ascii=False, indent=1)
        out.append(
            f"#### `{t}`\n\n{md_text(load_schema(t)['description'])} Rows: {st['rows'][t]}.\n\n"
            f"{fields_table(t)}\n\n"
            f"Example row:\n\n```json\n{example}\n```\n"
        )
    return "\n".join(out)


def files_table() -> str:
    """What this folder holds: the tables, then every registered exporter's files, then the manifest."""
    rows = [[f"`{table_path(Path('data'), '<table>')}`", DATA_DESCRIPTION]]
    rows += [[f"`{f}`", md_text(e.description)] for e in registered_exporters() for f in e.files]
    rows.append([f"`{MANIFEST}`", MANIFEST_DESCRIPTION])
    return md_table(["path", "what"], rows)


def release_kind(result: BuildResult) -> str:
    """The card's first paragraph: which kind of release this is, from its text policy (result.config) and its
    rights (release.rights). A rehydrated release is a full build (text policy ``full``), so its card is the full
    build's, byte for byte."""
    rights = result_publishable(result)
    sources = f"`{BUILD_INPUTS}/{SOURCES}`"
    if result.config["text_policy"] == "standoff":
        n = len(rights["documents_text_withheld"])
        return (
            f"**This is a stand-off release: the texts of its {n} documents whose redistribution is "
            f"`{WITHHOLD}` ({sources}) are withheld.** Their text columns, mention surfaces and evidence quotes "
            "are null; every id, offset, annotation and the SHA-256 of each text are kept. If you have your own "
            "copies of the raw texts, rebuild the full release with the project's `irbc` package: "
            "`irbc rehydrate RELEASE RAW_DIR --out DIR`, where RELEASE is this folder and RAW_DIR holds the raw "
            f"files under the names in {sources} (`source_file`). Each file is checked against the release's "
            "SHA-256 (`documents.raw_sha256`); the result is byte-identical to the full build, this card included.\n\n"
        )
    if not rights["ok"]:
        n = len(rights["documents_with_withheld_text"])
        return (
            f"**This is a full-text release for local use; it is not publishable.** It contains the texts of {n} "
            f"documents whose redistribution is `{WITHHOLD}` ({sources}; rights in `{LICENSE_FILE}`), so "
            "`irbc publish` refuses it. Share it only where you have the right to; the release to publish is the "
            "stand-off build (`irbc build --text-policy standoff`), which users with their own copies of the "
            "texts turn back into this one with `irbc rehydrate`.\n\n"
        )
    return ""


def _section_values(result: BuildResult) -> dict[str, Any]:
    """The computed pieces of the template's sections (release.card_sections)."""
    o = (result.scores or {}).get("overall", {})
    return {
        "table_sections": _table_sections(result),
        "citation_graph": graph_section(result),
        "files_table": files_table(),
        "pictures": card_pictures(),
        "annotation_layers": cs.annotation_layers(result),
        "mention_layers": cs.mention_layers(result),
        "automatic_layers": cs.automatic_layers(),
        "views_list": cs.views_list(),
        "producers_table": cs.producers_table(result),
        "agreement_sentence": cs.agreement_sentence(result),
        "tagger_precision": pct(o.get("precision")),
        "tagger_recall": pct(o.get("recall")),
        "codebook_version": first_row(result, "concepts").get("codebook_version", "n/a"),
        "curated_view": CURATED_MENTIONS.name,
        "curated_layer": CURATED_MENTIONS.annotator,
        "curated_stances_view": CURATED_STANCES.name,
        **cs.sources_answers(result.description),
    }


def dataset_card(result: BuildResult, report_json: dict[str, Any], release: Path) -> str:
    """The card of ``release`` (whose data/ files the header's sizes are read from), following the Hub's dataset
    card template section by section; the answers come from the corpus description's ``card`` and ``datasheet``
    blocks and from the tables."""
    desc = result.description
    header = card_yaml(desc, DATASET_VERSION, release)
    values = common_values(result, report_json)
    values.update(_section_values(result))
    values.update(
        header=yaml.safe_dump(header, sort_keys=False, allow_unicode=True),
        bibtex=citation_bibtex(desc, DATASET_VERSION),
        apa=citation_apa(desc, DATASET_VERSION),
        release_kind=release_kind(result),
        description_path=DESCRIPTION_FILE,
    )
    return render("card.md", values, {"card": desc["card"], "sheet": desc["datasheet"]})


@exporter("dataset_card_v1", "README.md", description="this dataset card")
def write_card(release: Path, ctx: ExportContext) -> None:
    (release / "README.md").write_text(dataset_card(ctx.result, ctx.report_json, release), encoding="utf-8")
