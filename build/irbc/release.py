"""Release files written next to the Parquet tables: validation reports, dataset card, DATASHEET, citation,
Croissant metadata, and the manifest (last, so it covers every other file)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import DATASET_VERSION
from .io import sha256_file, write_json

if TYPE_CHECKING:
    from .pipeline import BuildResult
    from .validate import Report


def render_report_html(report: Report) -> str:
    rows = []
    for c in report.checks:
        status = "pass" if c.passed else "FAIL"
        ex = "<br>".join(html.escape(e) for e in c.examples)
        rows.append(
            f"<tr class='{status.lower()}'><td>{status}</td><td>{html.escape(c.kind)}</td>"
            f"<td>{html.escape(c.table)}</td><td>{html.escape(c.name)}</td><td>{c.checked}</td>"
            f"<td>{c.failed}</td><td>{ex}</td></tr>"
        )
    verdict = "PASSED" if report.passed else "FAILED"
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>IR Balancing Corpus validation report</title>"
        "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}"
        "table{border-collapse:collapse}tr.fail{background:#fdd}</style></head><body>"
        f"<h1>Validation report: {verdict}</h1><p>{report.n_checks} checks, {len(report.failures)} failed. "
        "Kinds: jsonschema (every record against schema/), great_expectations (one suite per table, "
        "validation/expectations.yaml plus expectations derived from schema/), integrity (cross-table checks). "
        "The manifest checks (file checksums, sizes, row counts, required files) need the finished folder, so they "
        "run in <code>irbc validate</code>, not in this build-time report.</p><table><tr><th>status</th><th>kind</th><th>table</th><th>check</th>"
        "<th>checked</th><th>failing</th><th>examples</th></tr>" + "".join(rows) + "</table></body></html>\n"
    )


def write_manifest(release: Path, result: BuildResult) -> None:
    import pyarrow.parquet as pq

    files = {}
    for p in sorted(release.rglob("*")):
        if not p.is_file() or p.name == "manifest.json":
            continue
        rel = str(p.relative_to(release))
        info: dict[str, Any] = {"sha256": sha256_file(p), "bytes": p.stat().st_size}
        if p.suffix == ".parquet":
            info["rows"] = pq.ParquetFile(p).metadata.num_rows
        files[rel] = info
    from .annotate import load_codebook
    from .schema import schema_dir

    manifest = {
        "dataset": "IR Balancing Corpus",
        "dataset_version": DATASET_VERSION,
        "codebook_version": load_codebook(schema_dir() / "codebook.yaml").version,
        "text_policy": result.config["text_policy"],
        "skipped_inputs": result.skipped,
        "provenance": {"inputs": result.config["inputs"], "git_commit": result.config.get("git_commit")},
        "files": files,
    }
    write_json(release / "manifest.json", manifest)


def finalize(release: Path, result: BuildResult, report: Report) -> None:
    """Write the card, DATASHEET, citation and report files into the (temporary) release folder; the manifest
    goes last so it covers every other file."""
    from .docs import citation_cff, dataset_card, datasheet

    rj = report.to_json()
    write_json(release / "validation_report.json", rj)
    (release / "validation_report.html").write_text(render_report_html(report), encoding="utf-8")
    (release / "README.md").write_text(dataset_card(result, rj), encoding="utf-8")
    (release / "DATASHEET.md").write_text(datasheet(result, rj), encoding="utf-8")
    (release / "CITATION.cff").write_text(citation_cff(DATASET_VERSION), encoding="utf-8")
    from .croissant import write_croissant
    from .docs import citation_bibtex

    write_croissant(release, DATASET_VERSION, citation_bibtex(DATASET_VERSION))
    write_manifest(release, result)
