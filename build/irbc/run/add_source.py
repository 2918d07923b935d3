"""``irbc add-source``: a new raw text into a corpus folder, with a valid sources.yaml entry (SHA-256 filled in,
every bibliographic field the source does not state set to null). The entry is appended as text, so the file's
comments stay; the new file is validated whole before it replaces the old one, and a failure leaves the corpus
as it was."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from irbc.core.errors import InputError
from irbc.core.io import write_atomic
from irbc.core.schema import validate_input
from irbc.stages.read import load_corpus_config, read_raw

UNREVIEWED = "Not reviewed yet (added by irbc add-source): withheld until the rights of the text are checked."


@dataclass
class NewSource:
    raw_file: Path
    doc_id: str
    site: str
    genre: str
    language: str
    redistribution: str = "withhold"
    redistribution_basis: str | None = None
    notes: str | None = None


def _entry(src: NewSource, sha: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "doc_id": src.doc_id,
        "source_file": src.raw_file.name,
        "raw_sha256": sha,
        "site": src.site,
        "genre": src.genre,
        "language": src.language,
        "doi": None,
        "url": None,
        "field_sources": {},
        "redistribution": src.redistribution,
        "redistribution_basis": src.redistribution_basis or UNREVIEWED,
    }
    if src.notes:
        entry["notes"] = src.notes
    return entry


def _appended(text: str, entry: dict[str, Any], file: str) -> str:
    block = yaml.safe_dump([entry], sort_keys=False, allow_unicode=True, width=1000, default_flow_style=False)
    new = text.rstrip("\n") + "\n" + "".join(f"  {line}\n" for line in block.splitlines())
    data = yaml.safe_load(new)
    if not isinstance(data, dict) or not data.get("sources") or data["sources"][-1] != entry:
        raise InputError(file, None, "cannot append an entry: `sources:` is not the last block of the file")
    return new


def add_source(corpus: Path, src: NewSource) -> dict[str, Any]:
    """Copy the raw file into ``corpus/raw/`` (unless it is there) and append its entry to sources.yaml;
    returns the entry. Nothing is changed if anything is wrong."""
    corpus = Path(corpus)
    cfg = load_corpus_config(corpus)  # the corpus as it is must be valid first
    raw_path = Path(src.raw_file)
    if raw_path.is_symlink() or not raw_path.is_file():
        raise InputError(str(raw_path), None, "not a regular file")
    _, sha = read_raw(raw_path)  # refuses what the build would refuse (encoding, size, NUL bytes)
    for s in cfg.sources:
        if s["doc_id"] == src.doc_id:
            raise InputError(str(corpus / "sources.yaml"), None, f"doc_id {src.doc_id!r} is already listed")
        if s["source_file"] == raw_path.name:
            raise InputError(str(corpus / "sources.yaml"), None, f"{raw_path.name} is already listed")
    target = corpus / "raw" / raw_path.name
    copied = False
    if target.exists() and target.resolve() != raw_path.resolve():
        if read_raw(target)[1] != sha:
            raise InputError(str(target), None, "a different file of that name is already in raw/")
    elif not target.exists():
        shutil.copyfile(raw_path, target)
        copied = True
    sources = corpus / "sources.yaml"
    entry = _entry(src, sha)
    try:
        new = _appended(sources.read_text(encoding="utf-8"), entry, str(sources))
        validate_input("sources_manifest", yaml.safe_load(new), str(sources))  # before anything is replaced
        write_atomic(sources, new)
    except BaseException:
        if copied:
            target.unlink(missing_ok=True)
        raise
    return entry
