"""What the annotation formats exchange: a release's documents with their mentions and stance evidence (export),
and the spans read back from a tool's files, each with the place it was read from (import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Evidence:
    """One verbatim evidence quote of one stance (a quote shared by two stances is two pieces of evidence)."""

    start: int
    end: int
    stance_id: str
    target: str
    holder: str
    attribution: str
    stance: str

    def key(self) -> tuple[int, int, str, str, str, str]:
        return (self.start, self.end, self.target, self.holder, self.attribution, self.stance)


@dataclass
class ExportDoc:
    doc_id: str
    title: str | None
    text: str
    paragraphs: list[tuple[int, int, str]]  # start, end, kind
    notes: list[tuple[int, int, str]]  # start, end, label
    mentions: list[dict[str, Any]]  # concept_mentions rows of the exported annotator
    evidence: list[Evidence]


@dataclass
class ExportData:
    release: Path
    annotator: str
    dataset_version: str
    codebook_version: str
    concepts: list[dict[str, Any]]
    targets: list[dict[str, Any]]
    docs: list[ExportDoc]

    def concept(self, cid: str) -> dict[str, Any]:
        return next(c for c in self.concepts if c["concept_id"] == cid)


@dataclass(frozen=True)
class ImportedSpan:
    """A concept mention as a tool's file states it; ``where`` names the file and the line (or element)."""

    start: int
    end: int
    concept: str
    surface: str | None  # the covered text the file states, where the format carries one
    where: str


@dataclass(frozen=True)
class ImportedEvidence:
    start: int
    end: int
    target: str
    holder: str
    attribution: str
    stance: str
    where: str

    def key(self) -> tuple[int, int, str, str, str, str]:
        return (self.start, self.end, self.target, self.holder, self.attribution, self.stance)


@dataclass
class ImportedDoc:
    doc_id: str
    text: str  # the text the file annotates
    text_file: str  # where that text was read from
    mentions: list[ImportedSpan] = field(default_factory=list)
    evidence: list[ImportedEvidence] = field(default_factory=list)


def quote_selector(text: str, start: int, end: int, width: int = 32) -> dict[str, str]:
    """The exact text of a span with up to ``width`` characters either side (W3C TextQuoteSelector)."""
    return {
        "exact": text[start:end],
        "prefix": text[max(0, start - width) : start],
        "suffix": text[end : end + width],
    }
