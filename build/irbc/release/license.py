"""LICENSE: the terms of everything in the release. The project's own work is under the licence of the citation
record (its text from ``templates/licenses/<SPDX id>.txt``, copyright line from the record's authors and release
year); the texts are third-party works, and their rights are stated per document from the documents table
(``rights``) and the sources manifest's redistribution decision (``build_inputs/sources.yaml``, as shipped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbc import DATASET_VERSION
from irbc.core.errors import InputError
from irbc.core.result import BuildResult
from irbc.release.citation import LICENSE_FILE, citation_record
from irbc.release.exporters import ExportContext, exporter
from irbc.release.markdown import TEMPLATES, template
from irbc.release.rights import BUILD_INPUTS, SOURCES, result_sources
from irbc.release.stats import doc_rows

SPDX_URL = "https://spdx.org/licenses/{}.html"


def licence_text(spdx: str, year: int, holders: str) -> str:
    rel = f"licenses/{spdx}.txt"
    if not (TEMPLATES / rel).is_file():
        raise InputError(
            "dataset.yaml", "/citation/license", f"no licence text for {spdx!r} in {TEMPLATES / rel}"
        )
    return template(rel).format(year=year, holders=holders)


def licence_entries(desc: dict[str, Any]) -> list[tuple[str | None, str, str, str]]:
    """The terms for metadata formats that take a list of licences (Croissant, Data Package): (SPDX id or None,
    URL or release path, short title, what it covers). The project's licence covers its own work only; the
    second entry says that the texts are not under it and where their rights are stated."""
    c = citation_record(desc)
    cit = desc["citation"]
    return [
        (
            c.license,
            SPDX_URL.format(c.license),
            f"{c.license}: the project's own work",
            cit["license_covers"],
        ),
        (
            None,
            LICENSE_FILE,
            f"The texts: third-party works, rights per document in {LICENSE_FILE}",
            cit["license_excludes"],
        ),
    ]


def shipped_sources(result: BuildResult) -> dict[str, dict[str, Any]]:
    """The sources manifest entries by doc_id, from the bytes the release ships (build and rehydrate alike)."""
    return result_sources(result)


def text_included(result: BuildResult, source: dict[str, Any]) -> bool:
    """A stand-off release withholds the text of every ``withhold`` document (release.standoff)."""
    return result.config["text_policy"] == "full" or source["redistribution"] != "withhold"


def document_rights(result: BuildResult) -> str:
    sources = shipped_sources(result)
    out = []
    for d in doc_rows(result):
        s = sources[d["doc_id"]]
        included = text_included(result, s)
        out.append(
            f"- `{d['doc_id']}`" + (f": {d['title']}" if d["title"] else "") + "\n"
            f"  - rights statement in the source: {d['rights'] or 'none stated in the scrape'}\n"
            f"  - redistribution decision (sources.yaml): {s['redistribution']} ({s['redistribution_basis']})\n"
            f"  - full text in this release: {'yes' if included else 'no (withheld: stand-off release)'}"
        )
        if included and s["redistribution"] == "withhold":
            out[-1] += (
                "\n  - the text is included although its redistribution is not cleared: share this release "
                "only where you have the right to"
            )
    return "\n".join(out)


def license_file(result: BuildResult) -> str:
    desc = result.description
    c = citation_record(desc)
    cit = desc["citation"]
    return (
        f"# Licence and rights: {desc['name']} (version {DATASET_VERSION})\n\n"
        "This release holds two kinds of material under different terms.\n\n"
        f"## 1. The project's own work: {c.license}\n\n{cit['license_covers']}\n\n"
        f"{licence_text(c.license, c.released.year, ', '.join(c.authors))}\n"
        "## 2. The texts: third-party works, not licensed by the project\n\n"
        f"{cit['license_excludes']}\n\n"
        "Per document: the rights statement found in the source (the `rights` column of `documents`) and the "
        f"project's redistribution decision with its basis (`{BUILD_INPUTS}/{SOURCES}`).\n\n"
        f"{document_rights(result)}\n"
    )


@exporter(
    "license_v1",
    LICENSE_FILE,
    description="the licence of the project's own work and the rights of each third-party text",
    report_free=True,
)
def write_license(release: Path, ctx: ExportContext) -> None:
    (release / LICENSE_FILE).write_text(license_file(ctx.result), encoding="utf-8")
