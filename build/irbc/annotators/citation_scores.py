"""Field-level precision and recall of ``citations_v1`` against the hand-checked sample
(``corpus/annotations/citations/sample.yaml``), as the tagger is scored against the curated layer. A sampled
citation is paired with the parser's row of the same note whose span holds its ``at`` fragment (or, without
one, with the note's first row); unpaired rows count against every field they fill."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from irbc.core.yamlio import load_data

SAMPLE = "annotations/citations/sample.yaml"
FIELDS = ("authors", "first_author_surname", "year", "title", "container", "volume", "issue", "pages",
          "kind", "locator", "ibid", "refers_to")  # fmt: skip
SAMPLE_KEY = {"first_author_surname": "surname"}


@cache
def load_sample(path: Path) -> dict[str, Any]:
    data = load_data(path) if path.is_file() else None
    return data if isinstance(data, dict) else {}


def _value(row: dict[str, Any] | None, field: str, sample: bool) -> Any:
    if row is None:
        return None
    v = row.get(SAMPLE_KEY.get(field, field) if sample else field)
    if field == "ibid":
        return True if v else None
    if field == "kind" and sample and v is None:
        return "other"
    return v


def _pairs(
    expected: list[dict[str, Any]], rows: list[dict[str, Any]], note_text: str, note_start: int
) -> tuple:
    paired: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
    used: set[int] = set()
    for k, e in enumerate(expected):
        hit = None
        if e.get("at"):
            pos = note_text.find(e["at"])
            hit = next(
                (i for i, r in enumerate(rows) if pos >= 0 and r["start"] <= note_start + pos < r["end"]),
                None,
            )
        elif k < len(rows) and len(expected) == 1:
            hit = 0
        if hit is not None and hit not in used:
            used.add(hit)
            paired.append((e, rows[hit]))
        else:
            paired.append((e, None))
    paired += [(None, r) for i, r in enumerate(rows) if i not in used]
    return tuple(paired)


def empty_counts() -> dict[str, dict[str, int]]:
    return {f: {"tp": 0, "fp": 0, "fn": 0} for f in ("citation", *FIELDS)}


def score_document(
    sample: dict[str, Any], doc_id: str, rows: list[dict[str, Any]], notes: dict[str, tuple[int, str]]
) -> tuple[dict[str, dict[str, int]], int, int] | None:
    """(counts per field, notes sampled, citations sampled) for one document, None if it is not sampled.
    ``notes``: note id -> (start offset, text)."""
    mine = (sample.get("documents") or {}).get(doc_id)
    if not mine:
        return None
    counts = empty_counts()
    n_cit = 0
    for short, expected in mine.items():
        nid = f"{doc_id}-{short}"
        start, text = notes[nid]
        expected = expected or []
        n_cit += len(expected)
        for e, r in _pairs(expected, [r for r in rows if r["note_id"] == nid], text, start):
            row_key = "tp" if e is not None and r is not None else ("fn" if r is None else "fp")
            counts["citation"][row_key] += 1
            for f in FIELDS:
                ev, pv = _value(e, f, True), _value(r, f, False)
                if ev is not None and ev == pv:
                    counts[f]["tp"] += 1
                    continue
                if pv is not None:
                    counts[f]["fp"] += 1
                if ev is not None:
                    counts[f]["fn"] += 1
    return counts, len(mine), n_cit


def summarise(parts: list[tuple[dict[str, dict[str, int]], int, int]]) -> dict[str, Any] | None:
    if not parts:
        return None
    total = empty_counts()
    for counts, _, _ in parts:
        for f, c in counts.items():
            for k in c:
                total[f][k] += c[k]
    out: dict[str, Any] = {
        "notes": sum(p[1] for p in parts),
        "citations": sum(p[2] for p in parts),
        "fields": {},
    }
    for f, c in total.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else None
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else None
        out["fields"][f] = {**c, "precision": p, "recall": r}
    return out
