"""What an export reads: the tables of a full-text release folder (a stand-off release has no text to annotate and
is refused, pointing at ``irbc rehydrate``), for one mention layer (``--annotator``)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from irbc.core.errors import InputError
from irbc.formats.model import Evidence, ExportData, ExportDoc


def _by_doc(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[r["doc_id"]].append(r)
    return out


def evidence_of(stances: list[dict[str, Any]]) -> list[Evidence]:
    out = [
        Evidence(
            ev["start"],
            ev["end"],
            st["stance_id"],
            st["target_id"],
            st["holder"],
            st["attribution"],
            st["stance"],
        )
        for st in stances
        for ev in st["evidence"]
    ]
    return sorted(out, key=lambda e: (e.start, e.end, e.stance_id))


def load_export_data(release: Path, annotator: str) -> ExportData:
    """The documents of ``release`` with their ``annotator`` mentions and stance evidence, in doc_id order."""
    from irbc.gate.release import check_release_folder, read_release_tables

    release = Path(release)
    check_release_folder(release)
    tables = read_release_tables(release)
    withheld = [d["doc_id"] for d in tables["documents"] if d["text"] is None]
    if withheld:
        raise InputError(
            str(release),
            None,
            f"is a stand-off release: the text of {len(withheld)} document(s) is withheld ({', '.join(withheld)}), "
            "and annotation tools need the text; run `irbc rehydrate RELEASE RAW_DIR --out DIR` first and export "
            "the rehydrated release",
        )
    layers = sorted({m["annotator"] for m in tables["concept_mentions"]})
    if annotator not in layers:
        raise InputError(
            str(release), None, f"no {annotator!r} mentions in this release (layers: {', '.join(layers)})"
        )
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    paras, notes = _by_doc(tables["paragraphs"]), _by_doc(tables["notes"])
    mentions = _by_doc([m for m in tables["concept_mentions"] if m["annotator"] == annotator])
    stances = _by_doc(tables["stances"])
    docs = [
        ExportDoc(
            d["doc_id"],
            d["title"],
            d["text"],
            sorted((p["start"], p["end"], p["kind"]) for p in paras[d["doc_id"]]),
            sorted((n["start"], n["end"], n["label"]) for n in notes[d["doc_id"]]),
            sorted(mentions[d["doc_id"]], key=lambda m: (m["start"], m["end"], m["concept_id"])),
            evidence_of(stances[d["doc_id"]]),
        )
        for d in sorted(tables["documents"], key=lambda d: d["doc_id"])
    ]
    concepts = sorted(tables["concepts"], key=lambda c: c["concept_id"])
    targets = sorted(tables["stance_targets"], key=lambda t: t["target_id"])
    return ExportData(
        release, annotator, manifest["dataset_version"], manifest["codebook_version"], concepts, targets, docs
    )
