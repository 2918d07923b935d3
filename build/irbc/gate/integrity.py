"""Cross-table integrity checks, each a small named function registered with ``@integrity_check``; they run in
registration order over one ``Records`` view of the tables. Every check but the foreign keys into the global
tables (concepts, stance_targets) concerns one document at a time, so the build runs them per chunk of
documents in its workers and merges the results (``merge_checks``). Adding a check is one function here."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import Any

from irbc.core.io import fold_diacritics
from irbc.core.schema import DOC_TABLES, TABLES, load_schema
from irbc.gate.report import MAX_EXAMPLES, Check

Rows = list[dict[str, Any]]


@dataclass
class Records:
    """The record tables of (a chunk of) a release, indexed once for every check."""

    tables: dict[str, Rows]
    summary: dict[str, Any] | None
    docs: dict[str, dict[str, Any]] = field(init=False)
    texts: dict[str, str] = field(init=False)  # clean text per document (withheld ones are absent)
    by_doc: dict[str, dict[str, Rows]] = field(init=False)

    def __post_init__(self) -> None:
        self.docs = {d["doc_id"]: d for d in self.tables["documents"]}
        self.texts = {k: d["text"] for k, d in self.docs.items() if d["text"] is not None}
        self.by_doc = defaultdict(lambda: defaultdict(list))
        for t in DOC_TABLES:
            for r in self.tables[t]:
                self.by_doc[r["doc_id"]][t].append(r)


IntegrityCheck = Callable[[Records], list[Check]]
_CHECKS: dict[str, IntegrityCheck] = {}


def integrity_check(name: str) -> Callable[[IntegrityCheck], IntegrityCheck]:
    """Register a check under a versioned name; checks run in registration order."""

    def add(fn: IntegrityCheck) -> IntegrityCheck:
        if name in _CHECKS:
            raise ValueError(f"integrity check {name!r} is registered twice")
        _CHECKS[name] = fn
        return fn

    return add


def registered_checks() -> list[str]:
    return list(_CHECKS)


def integrity_checks(tables: dict[str, Rows], summary: dict[str, Any] | None) -> list[Check]:
    """Every registered integrity check over record dicts, in registration order."""
    view = Records(tables, summary)
    return [c for fn in _CHECKS.values() for c in fn(view)]


def _check(name: str, table: str, checked: int, problems: list[str]) -> Check:
    return Check(name, table, "integrity", not problems, checked, len(problems), problems[:MAX_EXAMPLES])


# ------------------------------------------------------------------------------------------ references
@cache
def foreign_keys() -> tuple[tuple[str, str, str, str], ...]:
    """(table, column, referenced table, referenced column), as declared by ``x-references`` in schema/."""
    out = []
    for t in TABLES:
        for col, prop in load_schema(t)["properties"].items():
            if "x-references" in prop:
                rt, rc = prop["x-references"].split(".")
                out.append((t, col, rt, rc))
    return tuple(out)


@integrity_check("foreign_keys_v1")
def foreign_key_checks(r: Records) -> list[Check]:
    """Every declared reference resolves; a reference from a row of one document to a section, paragraph or
    note must land in the same document."""
    out = []
    index: dict[tuple[str, str], dict[Any, Any]] = {}
    for t, col, rt, rc in foreign_keys():
        if (rt, rc) not in index:
            index[(rt, rc)] = {row[rc]: row.get("doc_id") for row in r.tables[rt]}
        same_doc = col != "doc_id" and "doc_id" in load_schema(rt)["properties"]
        probs: list[str] = []  # a global table (works) into document tables: not per chunk (tests check it)
        n = 0
        if t in DOC_TABLES or rt not in DOC_TABLES:
            n, probs = _references(r.tables.get(t, []), col, index[(rt, rc)], same_doc, rt, rc, t)
        name = f"{col} references {rt}.{rc}" + (" of the same document" if same_doc else "")
        out.append(_check(name, t, n, probs))
    return out


def _references(
    rows: Rows, col: str, idx: dict[Any, Any], same_doc: bool, rt: str, rc: str, t: str
) -> tuple[int, list[str]]:
    """(references checked, problems) of one column: a list cell counts each of its values, None counts none.
    A column of scalars that passes is shown to pass with set and map operations over the whole column; the
    row-by-row loop runs for list columns and for a column with a problem, to word the messages in row order."""
    cells = list(map(itemgetter(col), rows))
    if list not in set(map(type, cells)):
        missing = set(cells)
        missing.discard(None)
        missing -= idx.keys()
        if not missing:
            if not same_doc:
                return len(cells) - cells.count(None), []
            docs = list(map(itemgetter("doc_id"), rows))
            # a None cell or one of the row's own document gets the row's document back
            if list(map(idx.get, cells, docs)) == docs:
                return len(cells) - cells.count(None), []
    return _references_row_by_row(rows, col, idx, same_doc, rt, rc, t)


def _references_row_by_row(
    rows: Rows, col: str, idx: dict[Any, Any], same_doc: bool, rt: str, rc: str, t: str
) -> tuple[int, list[str]]:
    """``_references`` one row and one value at a time, as the check was first written: what words the problems
    (and what tests compare the column operations with)."""
    key = load_schema(t)["x-primary-key"]
    probs, n = [], 0
    for row in rows:
        values = row[col] if isinstance(row[col], list) else [row[col]]
        for v in values:
            if v is None:
                continue
            n += 1
            if v not in idx:
                probs.append(f"{row[key]}: {col} {v!r} is not in {rt}.{rc}")
            elif same_doc and idx[v] != row["doc_id"]:
                probs.append(f"{row[key]}: {col} {v!r} belongs to document {idx[v]!r}, not {row['doc_id']!r}")
    return n, probs


# ------------------------------------------------------------------------------------------ spans
@integrity_check("span_texts_v1")
def span_texts(r: Records) -> list[Check]:
    """Every stored span text equals documents.text[start:end]."""
    out = []
    spans = (
        ("paragraphs", "text"),
        ("notes", "text"),
        ("concept_mentions", "surface"),
        ("mention_reviews", "surface"),
    )
    for table, col in spans:
        probs = []
        for row in r.tables[table]:
            t = r.texts.get(row["doc_id"])
            if t is not None and row[col] is not None and t[row["start"] : row["end"]] != row[col]:
                uid = (
                    row.get("mention_id")
                    or row.get("review_id")
                    or row.get("paragraph_id")
                    or row.get("note_id")
                )
                probs.append(f"{uid} at {row['start']}-{row['end']}")
        out.append(_check(f"{col} == documents.text[start:end]", table, len(r.tables[table]), probs))
    return out


@integrity_check("evidence_quotes_v1")
def evidence_quotes(r: Records) -> list[Check]:
    probs = []
    n = 0
    for s in r.tables["stances"]:
        t = r.texts.get(s["doc_id"])
        for ev in s["evidence"]:
            n += 1
            if t is not None and ev["quote"] is not None and t[ev["start"] : ev["end"]] != ev["quote"]:
                probs.append(f"{s['stance_id']} evidence at {ev['start']}-{ev['end']}")
    return [_check("evidence quote == documents.text[start:end]", "stances", n, probs)]


# ------------------------------------------------------------------------------------------ structure
@integrity_check("documents_have_units_v1")
def documents_have_units(r: Records) -> list[Check]:
    probs = [
        f"{d} has no sections or no paragraphs"
        for d in r.docs
        if not r.by_doc[d]["sections"] or not r.by_doc[d]["paragraphs"]
    ]
    return [_check("every document has sections and paragraphs", "documents", len(r.docs), probs)]


@integrity_check("no_orphan_rows_v1")
def no_orphan_rows(r: Records) -> list[Check]:
    orphans = sorted(set(r.by_doc) - set(r.docs))
    probs = [f"rows for unknown document {d!r}" for d in orphans]
    return [_check("no rows for a document missing from documents", "documents", len(r.by_doc), probs)]


def _sections_of(r: Records, d: str) -> Rows:
    return sorted(r.by_doc[d]["sections"], key=lambda s: s["position"])


@integrity_check("sections_tile_text_v1")
def sections_tile_text(r: Records) -> list[Check]:
    probs = []
    for d, doc in r.docs.items():
        text = r.texts.get(d)
        secs = _sections_of(r, d)
        pos = 0
        for i, s in enumerate(secs):
            expected = 0 if i == 0 else pos + 2
            if s["start"] != expected or (text is not None and i and text[pos : s["start"]] != "\n\n"):
                probs.append(f"{s['section_id']} starts at {s['start']}, expected {expected}")
            pos = s["end"]
        if secs and pos != doc["clean_chars"]:
            probs.append(f"{d}: sections end at {pos}, text length {doc['clean_chars']}")
    return [_check("sections tile the document text", "sections", len(r.tables["sections"]), probs)]


@integrity_check("section_headings_v1")
def section_headings(r: Records) -> list[Check]:
    probs = []
    first_para: dict[str, dict[str, Any]] = {}
    for para in sorted(r.tables["paragraphs"], key=lambda p: p["start"]):
        first_para.setdefault(para["section_id"], para)
    for s in r.tables["sections"]:
        if s["heading"] is None:
            continue
        hp = first_para.get(s["section_id"])
        text = r.texts.get(s["doc_id"])
        if (
            hp is None
            or hp["kind"] != "heading"
            or hp["start"] != s["start"]
            or (text is not None and text[hp["start"] : hp["end"]] != s["heading"])
        ):
            probs.append(
                f"{s['section_id']}: heading {s['heading'][:60]!r} is not the section's heading paragraph"
            )
    return [
        _check(
            "section heading == its heading paragraph's text", "sections", len(r.tables["sections"]), probs
        )
    ]


def _unit_gaps_ok(text: str | None, prev: int, a: int, j: int, label: str | None) -> bool:
    """A unit follows the previous one after exactly one blank line (the first: at the section start); a note
    may start after its printed label ("12. ")."""
    gap = (a - prev) if j == 0 else (a - prev - 2)
    ok = gap == 0 or (label is not None and gap > 0)
    if text is not None and ok and gap > 0:
        ok = bool(re.fullmatch(r"\S+ ", text[a - gap : a]))
    if j and text is not None and text[prev : prev + 2] != "\n\n":
        ok = False
    return ok


@integrity_check("units_tile_sections_v1")
def units_tile_sections(r: Records) -> list[Check]:
    probs = []
    for d in r.docs:
        text = r.texts.get(d)
        units: dict[str, list[tuple[int, int, str, str | None]]] = defaultdict(list)
        for p in r.by_doc[d]["paragraphs"]:
            units[p["section_id"]].append((p["start"], p["end"], p["paragraph_id"], None))
        for nt in r.by_doc[d]["notes"]:
            units[nt["section_id"]].append((nt["start"], nt["end"], nt["note_id"], nt["label"]))
        for s in _sections_of(r, d):
            us = sorted(units.get(s["section_id"], []))
            if not us:
                probs.append(f"{s['section_id']} has no paragraphs or notes")
                continue
            prev = s["start"]
            for j, (a, b, uid, label) in enumerate(us):
                if not _unit_gaps_ok(text, prev, a, j, label):
                    probs.append(f"{uid} at {a} does not follow {prev} in {s['section_id']}")
                prev = b
            if prev != s["end"]:
                probs.append(f"{s['section_id']}: units end at {prev}, section ends at {s['end']}")
    return [
        _check("paragraphs and notes tile their section", "paragraphs", len(r.tables["paragraphs"]), probs)
    ]


# ------------------------------------------------------------------------------------------ audit
def _rebuild_raw(text: str, rows: Rows) -> tuple[str, str | None]:
    """The raw text rebuilt from the clean text and its audit rows, or the first problem found."""
    raw_parts, cpos, rpos = [], 0, 0
    problem = None
    for r in rows:
        kept = text[cpos : r["clean_offset"]]
        raw_parts.append(kept)
        rpos += len(kept)
        if r["raw_start"] != rpos or r["raw_end"] - r["raw_start"] != len(r["text"]):
            problem = (
                f"{r['removal_id']}: raw offsets {r['raw_start']}-{r['raw_end']} do not tile the raw file"
            )
            break
        if text[r["clean_offset"] : r["clean_offset"] + len(r["replacement"])] != r["replacement"]:
            problem = f"{r['removal_id']}: replacement not found at clean offset {r['clean_offset']}"
            break
        raw_parts.append(r["text"])
        rpos += len(r["text"])
        cpos = r["clean_offset"] + len(r["replacement"])
    raw_parts.append(text[cpos:])
    return "".join(raw_parts), problem


@integrity_check("audit_balances_v1")
def audit_balances(r: Records) -> list[Check]:
    """The audit balances: kept + removed = raw, exactly (the raw text is rebuilt and hashed)."""
    probs = []
    for d, doc in r.docs.items():
        text = r.texts.get(d)
        rows = sorted(r.by_doc[d]["removed"], key=lambda x: x["position"])
        if text is None or any(x["text"] is None for x in rows):
            continue
        raw, problem = _rebuild_raw(text, rows)
        if problem is not None:
            probs.append(problem)
        if hashlib.sha256(raw.encode("utf-8")).hexdigest() != doc["raw_sha256"]:
            probs.append(f"{d}: clean text + audit does not rebuild the raw file (SHA-256 differs)")
        if len(raw) != doc["raw_chars"]:
            probs.append(f"{d}: rebuilt raw has {len(raw)} characters, expected {doc['raw_chars']}")
    name = "audit balances: kept + removed spans rebuild the raw file (SHA-256)"
    return [_check(name, "removed", len(r.tables["removed"]), probs)]


# ------------------------------------------------------------------------------------------ notes
def _callout_problem(
    nt: dict[str, Any], c: dict[str, Any], cp: dict[str, Any] | None, t: str | None
) -> str | None:
    if cp is None or cp["doc_id"] != nt["doc_id"] or not (cp["start"] <= c["start"] < c["end"] <= cp["end"]):
        return f"{nt['note_id']}: callout {c['start']}-{c['end']} not inside a paragraph of {nt['doc_id']}"
    if t is None:
        return None
    marker = t[c["start"] : c["end"]]
    if nt["label"] is not None and marker != nt["label"]:
        return f"{nt['note_id']}: callout {marker!r} does not point to note {nt['label']!r}"
    if (
        nt["label"] is None
        and nt["text"]
        and fold_diacritics(marker.split()[0].strip("(,")) not in fold_diacritics(nt["text"][:200])
    ):
        return f"{nt['note_id']}: citation {marker!r} does not name this reference's author"
    return None


@integrity_check("callouts_v1")
def callouts_point_to_notes(r: Records) -> list[Check]:
    """Each callout lies in a paragraph of the note's document and reads as that note's marker."""
    probs = []
    n = 0
    paras = {p["paragraph_id"]: p for p in r.tables["paragraphs"]}
    for nt in r.tables["notes"]:
        t = r.texts.get(nt["doc_id"])
        for c in nt["callouts"]:
            n += 1
            problem = _callout_problem(nt, c, paras.get(c["paragraph_id"]), t)
            if problem is not None:
                probs.append(problem)
    return [_check("callouts point to a note of the same document", "notes", n, probs)]


# ------------------------------------------------------------------------------------------ summary
@integrity_check("summary_counts_v1")
def summary_counts(r: Records) -> list[Check]:
    """Row counts per document as the build reported them (only where a summary is given)."""
    if r.summary is None:
        return []
    probs = []
    for s in r.summary.get("documents", []):
        d = s["doc_id"]
        for t in ("sections", "paragraphs", "notes"):
            if len(r.by_doc[d][t]) != s[t]:
                probs.append(f"{d}: {len(r.by_doc[d][t])} {t}, build reported {s[t]}")
    return [_check("row counts per document match the build summary", "documents", len(r.docs), probs)]
