"""``curated_v1`` stances: for every document x target, the author's stance and the reported stances of named
sources, each with verbatim evidence anchored to offsets (``corpus/annotations/stances/<doc_id>.yaml``)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from irbc.annotators.anchoring import Units, anchor, sentences_over, unit_at
from irbc.annotators.registry import Annotation, Annotator, DocInput, register
from irbc.core.errors import InputError
from irbc.core.io import load_config_file, sha256_file
from irbc.core.yamlio import LINE_KEY


def slug(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def load_targets(path: Path) -> list[dict[str, Any]]:
    data = load_config_file(path, "stance_targets_file")
    ids = [t["target_id"] for t in data["targets"]]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise InputError(str(path), None, f"duplicate target id(s): {dup}")
    return list(data["targets"])


def _evidence(text: str, units: Units, st: dict[str, Any], file: str) -> list[dict[str, Any]]:
    line = st.get(LINE_KEY)
    evidence = []
    for ev in st.get("evidence", []):
        s, e = anchor(text, ev["quote"], ev.get("occurrence"), file, ev.get(LINE_KEY, line))
        u = unit_at(units, s, e)
        if u is None:
            raise InputError(
                file, f"line {ev.get(LINE_KEY, line)}", "evidence quote spans two paragraphs/notes"
            )
        evidence.append(
            {
                "quote": text[s:e],
                "start": s,
                "end": e,
                "paragraph_id": u.id if u.kind == "paragraph" else None,
                "note_id": u.id if u.kind == "note" else None,
                "sentence_ids": sentences_over(units, s, e),
            }
        )
    return evidence


def _holder_notes(text: str, units: Units, st: dict[str, Any], file: str) -> list[str]:
    """The note ids of the ``holder_notes`` quotes (each inside one note), in text order, each once."""
    place = f"line {st.get(LINE_KEY)}"
    found: dict[int, str] = {}
    for quote in st.get("holder_notes", []):
        s, e = anchor(text, quote, None, file, st.get(LINE_KEY))
        u = unit_at(units, s, e)
        if u is None or u.kind != "note":
            raise InputError(file, place, f"holder_notes quote is not inside one note: {quote[:80]!r}")
        if u.start in found:
            raise InputError(file, place, f"two holder_notes quotes name the same note {u.id}")
        found[u.start] = u.id
    return [found[k] for k in sorted(found)]


def stance_rows(
    doc_id: str, text: str, units: Units, path: Path, target_ids: list[str]
) -> list[dict[str, Any]]:
    file = str(path)
    data = load_config_file(path, "stance_annotations", keep_lines=True)
    if data["doc_id"] != doc_id:
        raise InputError(file, "/doc_id", f"stance file is for {data['doc_id']!r}, expected {doc_id!r}")
    rows = []
    seen: set[str] = set()
    for st in data["stances"]:
        line = st.get(LINE_KEY)
        if st["target"] not in target_ids:
            raise InputError(file, f"line {line}", f"unknown stance target {st['target']!r}")
        sid = f"{doc_id}:{st['target']}:{slug(st['holder'])}"
        if sid in seen:
            raise InputError(
                file, f"line {line}", f"second row for holder {st['holder']!r} on {st['target']!r}"
            )
        seen.add(sid)
        rows.append(
            {
                "stance_id": sid,
                "doc_id": doc_id,
                "target_id": st["target"],
                "holder": st["holder"],
                "attribution": st["attribution"],
                "stance": st["stance"],
                "evidence": _evidence(text, units, st, file),
                "rationale": " ".join(st["rationale"].split()),
                "holder_note_ids": _holder_notes(text, units, st, file),
                "annotator": data["annotator"],
            }
        )
    authors = Counter(r["target_id"] for r in rows if r["holder"] == "author")
    missing = [t for t in target_ids if authors[t] != 1]
    if missing:
        raise InputError(file, None, f"no holder 'author' row for target(s) {missing}")
    return rows


@register
class CuratedStances(Annotator):
    """The stance layer of the documents that have a stance file."""

    name = "curated_v1"
    table = "stances"
    folder = "stances"
    description = (
        "curated by the project's annotators: the author's stance on every target, and the positions the text "
        "attributes to named sources or to schools, each with verbatim evidence and a rationale"
    )

    def annotate(self, doc: DocInput, earlier: dict[str, list[dict[str, Any]]]) -> Annotation | None:
        path = self.file_for(doc.doc_id)
        if not path.is_file():
            return None
        rows = stance_rows(doc.doc_id, doc.text, doc.units, path, self.env.target_ids)
        return Annotation(rows, {f"corpus/annotations/stances/{doc.doc_id}.yaml": sha256_file(path)})
