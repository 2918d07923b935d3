"""Citation metadata, from the corpus description's ``citation`` block: CITATION.cff and the BibTeX entry that
the card and Croissant cite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from irbc import DATASET_VERSION
from irbc.release.exporters import ExportContext, exporter


def citation_bibtex(desc: dict[str, Any], version: str) -> str:
    c = desc["citation"]
    return (
        "@misc{" + c["bibtex_key"] + "_" + version.replace(".", "_") + ",\n"
        f"  title        = {{{{{c['title']}}}}},\n"
        f"  author       = {{{{{' and '.join(c['authors'])}}}}},\n"
        f"  version      = {{{version}}},\n"
        f"  year         = {{{c['year']}}},\n"
        f"  note         = {{{c['note']}}}\n"
        "}"
    )


def citation_cff(desc: dict[str, Any], version: str) -> str:
    data = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": desc["name"],
        "abstract": desc["summary"],
        "authors": [{"name": a} for a in desc["citation"]["authors"]],
        "version": version,
        "keywords": list(desc["citation"]["keywords"]),
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


@exporter("citation_cff_v1", "CITATION.cff")
def write_cff(release: Path, ctx: ExportContext) -> None:
    (release / "CITATION.cff").write_text(
        citation_cff(ctx.result.description, DATASET_VERSION), encoding="utf-8"
    )
