"""The one citation record (corpus/dataset.yaml's ``citation`` block, with the version from
``irbc.DATASET_VERSION``) and what is generated from it: CITATION.cff and the BibTeX entry that the card and
Croissant's ``citeAs`` carry. Identifiers the project does not have yet (repository, URL, DOI) are null in the
record and simply left out of every output."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from irbc import DATASET_VERSION
from irbc.core.errors import InputError
from irbc.release.exporters import ExportContext, exporter
from irbc.release.rights import BUILD_INPUTS

CITATION_CFF = "CITATION.cff"
LICENSE_FILE = "LICENSE"  # written by irbc.release.license
IDENTIFIERS = ("repository", "url", "doi")  # optional in the record: null until assigned
DESCRIPTION_FILE = f"{BUILD_INPUTS}/dataset.yaml"  # where the release ships the record
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_TEX_SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {"\\": "\\textbackslash{}", "~": "\\textasciitilde{}"}


@dataclass(frozen=True)
class Citation:
    key: str  # BibTeX key: <bibtex_key>_<version with underscores>
    title: str
    version: str
    released: datetime.date
    authors: tuple[str, ...]  # entities (CFF ``name:``), never split into given and family names
    license: str  # SPDX id of the project's own work; the third-party texts are not under it
    keywords: tuple[str, ...]
    identifiers: dict[str, str]  # the known ones of IDENTIFIERS only


def citation_record(desc: dict[str, Any], version: str = DATASET_VERSION) -> Citation:
    c = desc["citation"]
    try:
        released = datetime.date.fromisoformat(c["date_released"])
    except ValueError as exc:
        raise InputError("dataset.yaml", "/citation/date_released", f"not a date: {exc}") from exc
    return Citation(
        key=f"{c['bibtex_key']}_{version.replace('.', '_')}",
        title=c["title"],
        version=version,
        released=released,
        authors=tuple(a["name"] for a in c["authors"]),
        license=c["license"],
        keywords=tuple(c["keywords"]),
        identifiers={k: c[k] for k in IDENTIFIERS if c.get(k)},
    )


def unassigned(desc: dict[str, Any]) -> list[str]:
    """The identifiers the record leaves null (not assigned yet)."""
    return [k for k in IDENTIFIERS if not desc["citation"].get(k)]


def citation_placeholders(desc: dict[str, Any]) -> dict[str, str]:
    """For the card and the DATASHEET: the licence id, and a sentence on the identifiers the record leaves null."""
    names = {"repository": "public repository", "url": "home page (URL)", "doi": "DOI"}
    missing = [names[k] for k in unassigned(desc)]
    listed = ", ".join(missing[:-1]) + " or " + missing[-1] if len(missing) > 1 else "".join(missing)
    text = (
        f"No {listed} has been assigned yet: the citation record (`citation` in `{DESCRIPTION_FILE}`) has "
        f"{'them' if len(missing) > 1 else 'it'} as null, and no file here states one."
        if missing
        else ""
    )
    return {"license_id": citation_record(desc).license, "identifiers_text": text}


def _tex(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def citation_bibtex(desc: dict[str, Any], version: str = DATASET_VERSION) -> str:
    """The BibTeX entry: each author an entity in its own braces (BibTeX never splits it into names)."""
    c = citation_record(desc, version)
    fields = [
        ("author", " and ".join("{" + _tex(a) + "}" for a in c.authors)),
        ("title", "{" + _tex(c.title) + "}"),
        ("year", str(c.released.year)),
        ("month", None),
        ("version", _tex(c.version)),
        ("keywords", _tex(", ".join(c.keywords))),
    ]
    ids = c.identifiers
    if "doi" in ids:
        fields.append(("doi", ids["doi"]))  # verbatim: the url and doi fields are not TeX
    if "url" in ids or "repository" in ids:
        fields.append(("url", ids.get("url") or ids["repository"]))
    lines = [
        f"  {k:<8} = {_MONTHS[c.released.month - 1]}" if v is None else f"  {k:<8} = {{{v}}}"
        for k, v in fields
    ]
    return "@misc{" + c.key + ",\n" + ",\n".join(lines) + "\n}"


def citation_apa(desc: dict[str, Any], version: str = DATASET_VERSION) -> str:
    """The APA (7th edition) reference of a data set, in Markdown: group authors as named, the year released,
    the title in italics with the version, and the DOI or URL when the record has one."""
    c = citation_record(desc, version)
    names = list(c.authors)
    authors = names[0] if len(names) == 1 else ", ".join(names[:-1]) + ", & " + names[-1]
    link = ""
    if "doi" in c.identifiers:
        link = f" https://doi.org/{c.identifiers['doi']}"
    elif "url" in c.identifiers or "repository" in c.identifiers:
        link = " " + (c.identifiers.get("url") or c.identifiers["repository"])
    return f"{authors}. ({c.released.year}). *{c.title}* (Version {c.version}) [Data set].{link}"


def citation_cff(desc: dict[str, Any], version: str = DATASET_VERSION) -> str:
    c = citation_record(desc, version)
    data: dict[str, Any] = {
        "cff-version": "1.2.0",
        "message": (
            f"If you use this dataset, please cite it as below. The licence ({c.license}) covers the project's own "
            f"work only; the texts are third-party works under their own rights (see {LICENSE_FILE})."
        ),
        "type": "dataset",
        "title": c.title,
        "abstract": desc["summary"],
        "authors": [{"name": a} for a in c.authors],
        "version": c.version,
        "date-released": c.released.isoformat(),
        "license": c.license,
        "keywords": list(c.keywords),
    }
    ids = c.identifiers
    if "repository" in ids:
        data["repository"] = ids["repository"]
    if "url" in ids:
        data["url"] = ids["url"]
    if "doi" in ids:
        data["doi"] = ids["doi"]
        data["identifiers"] = [{"type": "doi", "value": ids["doi"]}]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


@exporter(
    "citation_cff_v1",
    CITATION_CFF,
    description="citation metadata (Citation File Format 1.2.0), from the same record as the card's BibTeX",
    report_free=True,
)
def write_cff(release: Path, ctx: ExportContext) -> None:
    (release / CITATION_CFF).write_text(citation_cff(ctx.result.description), encoding="utf-8")
