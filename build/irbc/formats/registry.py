"""The registry of annotation formats: ``@format_exporter("brat", ...)`` writes an export folder from a
release's ``ExportData``; ``@format_importer("brat")`` reads an edited export folder back as ``ImportedDoc``s.
One module per format, listed in ``FORMAT_MODULES``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from irbc.core.errors import IrbcError
from irbc.formats.model import ExportData, ImportedDoc

FORMAT_MODULES = ("brat", "webanno", "xmi", "spacy_docbin", "labelstudio")

ExportFn = Callable[[ExportData, Path], None]
ImportFn = Callable[[Path], list[ImportedDoc]]


@dataclass(frozen=True)
class Format:
    name: str
    description: str
    export: ExportFn | None = None
    read: ImportFn | None = None


_FORMATS: dict[str, Format] = {}


def format_exporter(name: str, description: str) -> Callable[[ExportFn], ExportFn]:
    def deco(fn: ExportFn) -> ExportFn:
        old = _FORMATS.get(name)
        _FORMATS[name] = Format(name, description, fn, old.read if old else None)
        return fn

    return deco


def format_importer(name: str) -> Callable[[ImportFn], ImportFn]:
    def deco(fn: ImportFn) -> ImportFn:
        old = _FORMATS[name]  # the exporter registers the format first (same module, above)
        _FORMATS[name] = Format(name, old.description, old.export, fn)
        return fn

    return deco


def formats() -> dict[str, Format]:
    for m in FORMAT_MODULES:
        importlib.import_module(f"irbc.formats.{m}")
    return dict(_FORMATS)


def export_names() -> list[str]:
    return [n for n, f in formats().items() if f.export is not None]


def import_names() -> list[str]:
    return [n for n, f in formats().items() if f.read is not None]


def get(name: str, *, reading: bool = False) -> Format:
    fmts = formats()
    f = fmts.get(name)
    if f is None or (reading and f.read is None):
        known = import_names() if reading else export_names()
        raise IrbcError(f"unknown format {name!r} (known: {', '.join(known)})")
    return f
