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
from irbc.release.citation import citation_bibtex
from irbc.release.exporters import ExportContext, exporter, registered_exporters
from irbc.release.hf import card_yaml
from irbc.release.manifest import MANIFEST, MANIFEST_DESCRIPTION
from irbc.release.markdown import fields_table, md_table, pct, render
from irbc.release.stats import common_values, first_row, stats

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


def files_table() -> str:
    """What this folder holds: the tables, then every registered exporter's files, then the manifest."""
    rows = [[f"`{table_path(Path('data'), '<table>')}`", DATA_DESCRIPTION]]
    rows += [[f"`{f}`", e.description] for e in registered_exporters() for f in e.files]
    rows.append([f"`{MANIFEST}`", MANIFEST_DESCRIPTION])
    return md_table(["path", "what"], rows)


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
    )
    return render("card.md", values, {"card": desc["card"]})


@exporter("dataset_card_v1", "README.md", description="this dataset card")
def write_card(release: Path, ctx: ExportContext) -> None:
    (release / "README.md").write_text(dataset_card(ctx.result, ctx.report_json), encoding="utf-8")
