"""Build records shipped in every release: the resolved configuration, the corpus configuration files it read,
and the build summary."""

from __future__ import annotations

from pathlib import Path

from irbc.core.io import write_json
from irbc.release.exporters import ExportContext, exporter
from irbc.release.rights import BUILD_INPUTS

RULES = "rules.yaml"  # the cleaning rules, as shipped in build_inputs/


@exporter(
    "build_config_v1",
    "build_config.json",
    description="the resolved build configuration: options, input SHA-256s, git commit, noise probes",
    report_free=True,
)
def build_config(release: Path, ctx: ExportContext) -> None:
    write_json(release / "build_config.json", ctx.result.config)


@exporter(
    "build_inputs_v1",
    f"{BUILD_INPUTS}/",
    required=False,
    description="the corpus configuration files the build read (sources, rules, profiles, dataset description)",
    report_free=True,
)
def build_inputs(release: Path, ctx: ExportContext) -> None:
    for name, data in ctx.result.build_inputs.items():
        (release / BUILD_INPUTS).mkdir(exist_ok=True)
        (release / BUILD_INPUTS / name).write_bytes(data)


@exporter(
    "build_summary_v1",
    "build_summary.json",
    description="per-document counts, diagnostics, skipped inputs, tagger scores and stance agreement",
    report_free=True,
)
def build_summary(release: Path, ctx: ExportContext) -> None:
    r = ctx.result
    summary = {
        "summary": r.summary,
        "diagnostics": r.diagnostics,
        "skipped": r.skipped,
        "tagger_scores": r.scores,
    }
    write_json(release / "build_summary.json", summary)
