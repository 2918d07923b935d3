"""The metadata stage: the Document record, from the sources manifest and the fields the rules moved out of the
text (bylines, dates, keywords...). Nothing the source does not state is filled in."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Any

from irbc.core.errors import InputError
from irbc.core.records import Document, Edit
from irbc.stages.structure import Unit


def iso_date(value: str, file: str, rule: str) -> str:
    v = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", value.strip())
    for fmt in ("%B %d, %Y", "%d %B %Y", "%Y-%m-%d", "%Y"):
        try:
            dt = datetime.strptime(v, fmt)
        except ValueError:
            continue
        return str(dt.year) if fmt == "%Y" else dt.date().isoformat()
    raise InputError(file, f"rule {rule}", f"cannot read a date from {value!r}")


def _dates(meta: dict[str, Any], file: str) -> tuple[str | None, str | None]:
    date = None
    if "date" in meta:
        date = iso_date(meta["date"][0], file, meta["date"][1])
    elif "year" in meta:
        date = iso_date(meta["year"][0], file, meta["year"][1])
    printed = (
        iso_date(meta["printed_date"][0], file, meta["printed_date"][1]) if "printed_date" in meta else None
    )
    return date, printed


def document_record(
    source: dict[str, Any],
    meta: dict[str, Any],
    text: str,
    raw: str,
    raw_sha256: str,
    units: list[Unit],
    edits: list[Edit],
) -> Document:
    """``meta`` maps a field to (value, id of the rule that found it)."""

    def m(key: str) -> Any:
        return meta[key][0] if key in meta else None

    date, printed = _dates(meta, source["source_file"])
    authors = m("authors")
    if isinstance(authors, str):
        authors = [authors]
    return Document(
        doc_id=source["doc_id"],
        source_file=source["source_file"],
        site=source["site"],
        genre=source["genre"],
        language=source.get("language", "en"),
        title=units[0].text if units and units[0].kind == "title" else None,
        subtitle=m("subtitle"),
        authors=authors or [],
        date=date,
        printed_date=printed,
        venue=m("venue") or source.get("venue"),
        publisher=m("publisher"),
        volume=m("volume"),
        pages=m("pages"),
        citation=m("citation"),
        doi=source.get("doi"),
        url=source.get("url"),
        keywords=list(m("keywords") or []),
        categories=list(m("categories") or []),
        author_bio=m("author_bio"),
        ethics_statement=m("ethics_statement"),
        disclaimer=m("disclaimer"),
        rights=m("rights"),
        text=text,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        raw_sha256=raw_sha256,
        raw_chars=len(raw),
        clean_chars=len(text),
        removed_chars=sum(e.raw_end - e.raw_start for e in edits if e.action != "normalize"),
    )
