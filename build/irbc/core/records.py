"""One small record type per level, passed through every stage.

Every record is a frozen dataclass whose fields are exactly the columns of its release table; the JSON
Schemas in ``schema/`` are the source of truth and ``irbc.schema`` checks that these classes match them.
Offsets (``start``/``end``) are character offsets into ``Document.text``; ``raw_start``/``raw_end`` are
character offsets into the raw file decoded as UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Edit:
    """One audited change from raw to clean: ``raw[raw_start:raw_end]`` became ``replacement``."""

    raw_start: int
    raw_end: int
    replacement: str
    reason: str
    action: str  # "remove" (noise) | "metadata" (moved to document metadata) | "normalize"


@dataclass(slots=True)
class Document:
    doc_id: str
    source_file: str
    site: str
    genre: str
    language: str
    title: str | None
    subtitle: str | None
    authors: list[str]
    date: str | None
    printed_date: str | None
    venue: str | None
    publisher: str | None
    volume: str | None
    pages: str | None
    citation: str | None
    doi: str | None
    url: str | None
    keywords: list[str]
    categories: list[str]
    author_bio: str | None
    ethics_statement: str | None
    disclaimer: str | None
    rights: str | None
    text: str | None
    text_sha256: str
    raw_sha256: str
    raw_chars: int
    clean_chars: int
    removed_chars: int


@dataclass(frozen=True, slots=True)
class Section:
    section_id: str
    doc_id: str
    position: int
    heading: str | None
    level: int
    kind: str
    parent_section_id: str | None
    heading_path: list[str]
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    paragraph_id: str
    section_id: str
    doc_id: str
    position: int
    kind: str
    heading_path: list[str]
    start: int
    end: int
    text: str | None
    raw_start: int
    raw_end: int


@dataclass(frozen=True, slots=True)
class Callout:
    start: int
    end: int
    paragraph_id: str | None
    locator: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    note_id: str
    doc_id: str
    section_id: str
    position: int
    label: str | None
    kind: str
    text: str | None
    start: int
    end: int
    raw_start: int
    raw_end: int
    callouts: list[Callout] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Citation:
    citation_id: str
    doc_id: str
    note_id: str
    position: int
    start: int
    end: int
    authors: list[str] | None
    first_author_surname: str | None
    year: str | None
    title: str | None
    container: str | None
    volume: str | None
    issue: str | None
    pages: str | None
    kind: str
    locator: str | None
    ibid: bool
    refers_to: str | None
    annotator: str


@dataclass(frozen=True, slots=True)
class Sentence:
    sentence_id: str
    doc_id: str
    paragraph_id: str | None
    note_id: str | None
    position: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Removed:
    removal_id: str
    doc_id: str
    position: int
    raw_start: int
    raw_end: int
    text: str | None
    replacement: str
    reason: str
    action: str
    clean_offset: int


@dataclass(frozen=True, slots=True)
class Diagnostic:
    doc_id: str
    code: str
    message: str
    start: int | None = None
    end: int | None = None


_CONVERTERS: dict[type, Any] = {}


def _rows_of(value: Any) -> Any:
    """A list field's value as a release row holds it: a new list, nested records as dicts."""
    if isinstance(value, list):
        return [to_row(x) if is_dataclass(x) else x for x in value]
    return value


def _converter(cls: type) -> Any:
    """A function made once per record type that builds its row as one dict display: no loop over the fields
    and no type test on fields that cannot hold a list (their annotations say so)."""
    parts = []
    for f in fields(cls):
        if not f.name.isidentifier():
            raise TypeError(f"{cls.__name__}: field {f.name!r} is not an identifier")
        get = f"r.{f.name}"
        parts.append(f"{f.name!r}: _rows_of({get})" if "list" in str(f.type) else f"{f.name!r}: {get}")
    namespace: dict[str, Any] = {"_rows_of": _rows_of}
    source = f"def convert(r):\n    return {{{', '.join(parts)}}}\n"  # field names only, checked above
    exec(source, namespace)
    return namespace["convert"]


def to_row(record: Any) -> dict[str, Any]:
    """The record as a release row: a dict of its fields, nested records (callouts) as dicts and lists copied;
    the same result as ``dataclasses.asdict`` for these flat records, several times faster."""
    convert = _CONVERTERS.get(type(record))
    if convert is None:
        convert = _CONVERTERS[type(record)] = _converter(type(record))
    row: dict[str, Any] = convert(record)
    return row
