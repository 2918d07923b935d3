"""``irbc export RELEASE --format FORMAT --out DIR``: write a release's annotations in a tool's format. The
folder is written beside the target and renamed into place (``release/writer.staged``) with an
``irbc-export.json`` that lists every file with its SHA-256; ``--out`` may only be missing, empty or an
unchanged earlier export (one whose files still match that list, so corrections not yet imported are never
overwritten)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from irbc.core.io import write_json
from irbc.formats import registry
from irbc.formats.source import load_export_data
from irbc.release.writer import UnsafeTarget, check_target, staged

EXPORT_MARKER = "irbc-export.json"
REVIEWS = "corpus/annotations/mentions"


def _sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _export_files(folder: Path) -> set[str] | None:
    """The files an unchanged earlier export lists, or None if ``folder`` is not an irbc export."""
    try:
        marker = json.loads((folder / EXPORT_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or not isinstance(marker.get("files"), dict) or "format" not in marker:
        return None
    for rel, sha in sorted(marker["files"].items()):
        p = folder / rel
        if p.is_symlink() or not p.is_file() or _sha256(p) != sha:
            raise UnsafeTarget(
                folder,
                f"is an export whose {rel} was changed or removed since it was written (corrections not yet "
                "imported?); run `irbc import` on it or move it away",
            )
    return set(marker["files"])


def export_release(release: Path, fmt: str, out: Path, annotator: str) -> dict[str, Any]:
    """Export ``release`` in format ``fmt`` into ``out``; returns the ``irbc-export.json`` record."""
    f = registry.get(fmt)
    assert f.export is not None
    check_target(
        Path(out),
        {"the input release": Path(release)},
        listing=_export_files,
        marker=EXPORT_MARKER,
        kind="an irbc export (no irbc-export.json)",
        noun="export",
    )
    data = load_export_data(Path(release), annotator)
    with staged(Path(out)) as (tmp, _):
        f.export(data, tmp)
        files = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        inputs = json.loads((Path(release) / "manifest.json").read_text(encoding="utf-8"))["provenance"][
            "inputs"
        ]
        record = {
            "format": fmt,
            "annotator": annotator,
            "dataset_version": data.dataset_version,
            "codebook_version": data.codebook_version,
            "documents": [d.doc_id for d in data.docs],
            "mentions": sum(len(d.mentions) for d in data.docs),
            "evidence": sum(len(d.evidence) for d in data.docs),
            "files": {rel: _sha256(tmp / rel) for rel in files},
            # the review files the exported layer was built from: `irbc import` refuses to undo later changes
            "review_files": {d.doc_id: inputs.get(f"{REVIEWS}/{d.doc_id}.yaml") for d in data.docs},
        }
        write_json(tmp / EXPORT_MARKER, record)
    return record
