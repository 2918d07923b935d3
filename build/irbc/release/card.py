"""The dataset card (the release's README.md): the Hub's YAML header and ``templates/card.md``, filled from the
built tables, schema/ and the corpus description (corpus/dataset.yaml)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from irbc import DATASET_VERSION
from irbc.core.result import BuildResult
from irbc.core.schema import TABLES, load_schema
from irbc.core.tables import table_path
from irbc.release.citation import LICENSE_FILE, citation_bibtex
from irbc.release.exporters import ExportContext, exporter, registered_exporters
from irbc.release.hf import card_yaml
from irbc.release.manifest import MANIFEST, MANIFEST_DESCRIPTION
from irbc.release.markdown import fields_table, md_table, md_text, pct, render
from irbc.release.rights import BUILD_INPUTS, SOURCES, WITHHOLD, result_publishable
from irbc.release.stats import common_values, first_row, stats
from irbc.release.views import CURATED_MENTIONS, VIEWS

DATA_DESCRIPTION = "the tables, one Parquet file each: one config per table (see Structure)"


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
            f"### `{t}`\n\n{load_schema(t)['description']} Rows: {st['rows'][t]}.\n\n{fields_table(t)}\n\n"
            f"Example row:\n\n```json\n{example}\n```\n"
        )
    return "\n".join(out)


def annotation_layers(result: BuildResult) -> str:
    """The annotator layers, from the annotator registry (name, table, description) and the tables (rows), and
    the views that hold one layer alone."""
    import irbc.annotators  # noqa: F401  (registers every annotator)
    from irbc.annotators.registry import registered

    rows_by_layer = stats(result)["layer_rows"]
    rows = [
        [
            f"`{a.name}`",
            f"`{a.table}`",
            "automatic" if a.automatic else "by people",
            rows_by_layer.get((a.table, a.name), 0),
            md_text(a.description),
        ]
        for a in registered()
    ]
    views = "; ".join(
        f"`{v.name}` holds the `{v.annotator}` rows of `{v.table}` alone, in the same order and with the same "
        "fields (a view the build derives from the table; `irbc validate` checks that it equals them)"
        for v in VIEWS
    )
    return (
        md_table(["annotator", "table", "made", "rows", "what"], rows) + f"\n\nConfigs of one layer: {views}."
    )


def files_table() -> str:
    """What this folder holds: the tables, then every registered exporter's files, then the manifest."""
    rows = [[f"`{table_path(Path('data'), '<table>')}`", DATA_DESCRIPTION]]
    rows += [[f"`{f}`", e.description] for e in registered_exporters() for f in e.files]
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


def dataset_card(result: BuildResult, report_json: dict[str, Any]) -> str:
    desc = result.description
    header = card_yaml(desc, DATASET_VERSION, stats(result)["n_docs"])
    o = (result.scores or {}).get("overall", {})
    values = common_values(result, report_json)
    values.update(
        header=yaml.safe_dump(header, sort_keys=False, allow_unicode=True),
        table_sections=_table_sections(result),
        tagger_precision=pct(o.get("precision")),
        tagger_recall=pct(o.get("recall")),
        bibtex=citation_bibtex(desc, DATASET_VERSION),
        files_table=files_table(),
        release_kind=release_kind(result),
        annotation_layers=annotation_layers(result),
        curated_view=CURATED_MENTIONS.name,
        curated_layer=CURATED_MENTIONS.annotator,
    )
    return render("card.md", values, {"card": desc["card"]})


@exporter("dataset_card_v1", "README.md", description="this dataset card")
def write_card(release: Path, ctx: ExportContext) -> None:
    (release / "README.md").write_text(dataset_card(ctx.result, ctx.report_json), encoding="utf-8")
