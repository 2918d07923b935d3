"""The gate's report in the release: validation_report.json and a readable validation_report.html, which opens
with a summary (passed and failed checks per table and per check kind), then lists the failing checks with
their examples, then every check, failures first."""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import Any

from irbc.core.io import write_json
from irbc.release.exporters import ExportContext, exporter

KINDS = (
    "jsonschema (every record against schema/), great_expectations (one suite per table, "
    "validation/expectations.yaml plus expectations derived from schema/), integrity (cross-table checks). "
    "The manifest checks (file checksums, sizes, row counts, required files) need the finished folder, so they "
    "run in <code>irbc validate</code>, not in this build-time report."
)
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:80rem;margin:auto;padding:0 1rem}"
    "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px;text-align:left;vertical-align:top}"
    "table{border-collapse:collapse;margin-bottom:1rem}tr.fail{background:#fdd}td.num{text-align:right}"
    ".verdict{font-weight:700}.scroll{overflow-x:auto}"
)


def _summary(checks: list[Any], key: str, caption: str) -> str:
    passed: Counter[str] = Counter(getattr(c, key) for c in checks if c.passed)
    failed: Counter[str] = Counter(getattr(c, key) for c in checks if not c.passed)
    rows = "".join(
        f"<tr class='{'fail' if failed[k] else 'pass'}'><th scope='row'>{html.escape(k)}</th>"
        f"<td class='num'>{passed[k]}</td><td class='num'>{failed[k]}</td>"
        f"<td>{'FAIL' if failed[k] else 'pass'}</td></tr>"
        for k in sorted(passed.keys() | failed.keys(), key=lambda k: (-failed[k], k))
    )
    return (
        f"<table><caption>{html.escape(caption)}</caption><tr><th scope='col'>{key}</th>"
        f"<th scope='col'>passed</th><th scope='col'>failed</th><th scope='col'>status</th></tr>{rows}</table>"
    )


def _rows(checks: list[Any]) -> str:
    rows = []
    for c in checks:
        status = "pass" if c.passed else "FAIL"
        ex = "<br>".join(html.escape(e) for e in c.examples)
        rows.append(
            f"<tr class='{status.lower()}'><td>{status}</td><td>{html.escape(c.kind)}</td>"
            f"<td>{html.escape(c.table)}</td><td>{html.escape(c.name)}</td><td class='num'>{c.checked}</td>"
            f"<td class='num'>{c.failed}</td><td>{ex}</td></tr>"
        )
    head = (
        "<tr><th scope='col'>status</th><th scope='col'>kind</th><th scope='col'>table</th>"
        "<th scope='col'>check</th><th scope='col'>checked</th><th scope='col'>failing</th>"
        "<th scope='col'>examples</th></tr>"
    )
    return f"<div class='scroll'><table>{head}{''.join(rows)}</table></div>"


def render_report_html(report: Any) -> str:
    checks = list(report.checks)
    failures = [c for c in checks if not c.passed]
    verdict = "PASSED" if report.passed else "FAILED"
    if failures:
        failing = f"<h2 id='failures'>Failing checks ({len(failures)})</h2>" + _rows(failures)
    else:
        failing = "<h2 id='failures'>Failing checks</h2><p>None: every check passed.</p>"
    ordered = failures + [c for c in checks if c.passed]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>IR Balancing Corpus validation report</title><style>{STYLE}</style></head><body>"
        f"<h1>Validation report: {verdict}</h1><p class='verdict'>{report.n_checks} checks, "
        f"{len(failures)} failed.</p><p>Kinds: {KINDS}</p><h2 id='summary'>Summary</h2>"
        + _summary(checks, "kind", "Checks per kind")
        + _summary(checks, "table", "Checks per table")
        + failing
        + f"<h2 id='all'>Every check ({len(checks)}), failures first</h2>"
        + _rows(ordered)
        + "</body></html>\n"
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
    description="the same validation report, readable in a browser: a summary per table and kind, failures first",
)
def report_html(release: Path, ctx: ExportContext) -> None:
    (release / "validation_report.html").write_text(render_report_html(ctx.report), encoding="utf-8")
