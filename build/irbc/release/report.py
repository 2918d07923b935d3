"""The gate's report in the release: validation_report.json and a readable validation_report.html."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from irbc.core.io import write_json
from irbc.release.exporters import ExportContext, exporter


def render_report_html(report: Any) -> str:
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


@exporter(
    "validation_report_json_v1",
    "validation_report.json",
    description="every check the validation gate ran, with its result",
)
def report_json(release: Path, ctx: ExportContext) -> None:
    write_json(release / "validation_report.json", ctx.report_json)


@exporter(
    "validation_report_html_v1",
    "validation_report.html",
    required=False,
    description="the same validation report, readable in a browser",
)
def report_html(release: Path, ctx: ExportContext) -> None:
    (release / "validation_report.html").write_text(render_report_html(ctx.report), encoding="utf-8")
