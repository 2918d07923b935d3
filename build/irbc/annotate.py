"""Annotation layer: concept codebook, the lexicon tagger, quote anchoring, curated mentions and stances.

Annotations are stand-off: ids plus character offsets into ``documents.text``; every stored surface or quote
equals ``text[start:end]``. Annotators are named and versioned, and the name is written on every row.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick

from .errors import InputError
from .io import load_config_file
from .yamlio import LINE_KEY

LEXICON = "lexicon_v1"
CURATED = "curated_v1"


# ---------------------------------------------------------------------------------------------- codebook
@dataclass(frozen=True)
class Codebook:
    version: str
    concepts: list[dict[str, Any]]
    form_to_concept: dict[str, str]

    @property
    def ids(self) -> set[str]:
        return {c["concept_id"] for c in self.concepts}


def validate_codebook(data: dict[str, Any], file: str) -> Codebook:
    """Codebook rules beyond the JSON Schema: unique ids, no surface form claimed twice, broader ids exist,
    no cycles. Unknown labels fail loudly."""
    ids: dict[str, int] = {}
    for i, c in enumerate(data["concepts"]):
        cid = c["concept_id"]
        if cid in ids:
            raise InputError(file, f"/concepts/{i}/concept_id", f"duplicate concept id {cid!r}")
        ids[cid] = i
    forms: dict[str, str] = {}
    for i, c in enumerate(data["concepts"]):
        for j, f in enumerate(c["surface_forms"]):
            key = " ".join(f.split())
            if key in forms:
                raise InputError(
                    file,
                    f"/concepts/{i}/surface_forms/{j}",
                    f"surface form {f!r} is claimed by both {forms[key]!r} and {c['concept_id']!r}",
                )
            forms[key] = c["concept_id"]
        for j, b in enumerate(c["broader"]):
            if b not in ids:
                raise InputError(file, f"/concepts/{i}/broader/{j}", f"unknown broader concept {b!r}")
    parents = {c["concept_id"]: c["broader"] for c in data["concepts"]}
    for cid in parents:
        seen, stack = set(), list(parents[cid])
        while stack:
            p = stack.pop()
            if p == cid:
                raise InputError(
                    file, f"/concepts/{ids[cid]}/broader", f"cycle in broader links through {cid!r}"
                )
            if p not in seen:
                seen.add(p)
                stack.extend(parents.get(p, []))
    concepts = [{k: v for k, v in c.items() if k != LINE_KEY} for c in data["concepts"]]
    return Codebook(data["codebook_version"], concepts, forms)


def load_codebook(path: Path) -> Codebook:
    data = load_config_file(path, "codebook")
    return validate_codebook(data, str(path))


# ---------------------------------------------------------------------------------------------- tagger
def fold(text: str) -> str:
    """Lower-case ``text`` character by character, keeping its length (a character whose lower-case form
    has another length is kept as is), so offsets in the folded text are offsets in the original."""
    out = text.lower()
    if len(out) == len(text):
        return out
    return "".join(lc if len(lc := ch.lower()) == 1 else ch for ch in text)


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch) == "Mn"


class Tagger:
    """Codebook surface forms compiled into one Aho–Corasick automaton: case-insensitive, word-bounded,
    leftmost-longest, non-overlapping."""

    name = LEXICON

    def __init__(self, codebook: Codebook) -> None:
        self.auto = ahocorasick.Automaton()
        for form, cid in codebook.form_to_concept.items():
            self.auto.add_word(form, (len(form), cid))
        self.auto.make_automaton()

    def tag(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        end = len(text) if end is None else end
        seg = fold(text[start:end])
        cands = []
        for last, (n, cid) in self.auto.iter(seg):
            s = last - n + 1
            e = last + 1
            if s > 0 and _is_word(seg[s - 1]):
                continue
            if e < len(seg) and _is_word(seg[e]):
                continue
            cands.append((s, -n, cid))
        cands.sort()
        out = []
        pos = 0
        for s, negn, cid in cands:
            if s >= pos:
                out.append((start + s, start - negn + s, cid))
                pos = s - negn
        return out


# ---------------------------------------------------------------------------------------------- anchoring
def anchor(
    text: str,
    quote: str,
    occurrence: int | None,
    file: str,
    line: int | None,
    lo: int = 0,
    hi: int | None = None,
) -> tuple[int, int]:
    """Resolve a verbatim quote to (start, end). Not found, or found more than once without an occurrence
    index, is an error naming the file and line."""
    place = f"line {line}" if line else None
    hi = len(text) if hi is None else hi
    hits = []
    i = text.find(quote, lo, hi)
    while i != -1:
        hits.append(i)
        i = text.find(quote, i + 1, hi)
    if not hits:
        raise InputError(file, place, f"quote not found in the clean text: {quote[:80]!r}")
    if occurrence is None:
        if len(hits) > 1:
            raise InputError(file, place, f"quote found {len(hits)} times; add `occurrence`: {quote[:80]!r}")
        return hits[0], hits[0] + len(quote)
    if occurrence > len(hits):
        raise InputError(
            file, place, f"occurrence {occurrence} requested but the quote occurs {len(hits)} times"
        )
    return hits[occurrence - 1], hits[occurrence - 1] + len(quote)


@dataclass(frozen=True)
class Unit:
    kind: str  # "paragraph" | "note"
    id: str
    section_id: str
    start: int
    end: int
    main: bool  # a main-text paragraph (not a note)


class Units(list[Unit]):
    """The paragraphs and notes of one document in text order, with their start offsets for bisection."""

    def __init__(self, items: list[Unit]) -> None:
        super().__init__(sorted(items, key=lambda u: u.start))
        self.starts = [u.start for u in self]


def units_of(paragraphs: list[Any], notes: list[Any]) -> Units:
    us = [Unit("paragraph", p.paragraph_id, p.section_id, p.start, p.end, True) for p in paragraphs]
    us += [Unit("note", n.note_id, n.section_id, n.start, n.end, False) for n in notes]
    return Units(us)


def unit_at(units: Units, start: int, end: int) -> Unit | None:
    i = bisect.bisect_right(units.starts, start) - 1
    if i >= 0 and units[i].start <= start and end <= units[i].end:
        return units[i]
    return None


def mention_row(doc_id: str, u: Unit, s: int, e: int, text: str, cid: str, annotator: str) -> dict[str, Any]:
    return {
        "mention_id": f"{doc_id}-{annotator}-{s}-{e}",
        "doc_id": doc_id,
        "section_id": u.section_id,
        "paragraph_id": u.id if u.kind == "paragraph" else None,
        "note_id": u.id if u.kind == "note" else None,
        "start": s,
        "end": e,
        "surface": text[s:e],
        "concept_id": cid,
        "annotator": annotator,
    }


def lexicon_mentions(doc_id: str, text: str, units: Units, tagger: Tagger) -> list[dict[str, Any]]:
    """Tag the whole document once, then attach each mention to the paragraph or note that contains it.
    Surface forms contain no line break, so no mention crosses the blank line between two units; a match
    outside every unit (in a printed note label) is not a mention."""
    rows = []
    for s, e, cid in tagger.tag(text):
        u = unit_at(units, s, e)
        if u is not None:
            rows.append(mention_row(doc_id, u, s, e, text, cid, LEXICON))
    return rows


# ---------------------------------------------------------------------------------------------- curated review
def _locate(text: str, item: dict[str, Any], file: str) -> tuple[int, int]:
    line = item.get(LINE_KEY)
    cs, ce = anchor(text, item["context"], item.get("occurrence"), file, line)
    sub = text[cs:ce]
    n = sub.count(item["surface"])
    if n != 1:
        raise InputError(
            file, f"line {line}", f"surface {item['surface']!r} occurs {n} times in its context (needs 1)"
        )
    s = cs + sub.index(item["surface"])
    return s, s + len(item["surface"])


def curated_mentions(
    doc_id: str,
    text: str,
    units: Units,
    auto: list[dict[str, Any]],
    review: dict[str, Any],
    file: str,
    codebook: Codebook,
) -> list[dict[str, Any]]:
    """Apply a review file: every lexicon mention in a main-text paragraph must be accepted or rejected;
    additions are anchored by quotes. Returns the curated_v1 rows."""
    if review["doc_id"] != doc_id:
        raise InputError(file, "/doc_id", f"review file is for {review['doc_id']!r}, expected {doc_id!r}")
    main_auto = {(m["start"], m["end"]): m for m in auto if m["paragraph_id"] is not None}
    decided: set[tuple[int, int]] = set()
    rows: dict[tuple[int, int], dict[str, Any]] = {}

    def check_concept(cid: str, line: int | None) -> None:
        if cid not in codebook.ids:
            raise InputError(file, f"line {line}", f"unknown concept id {cid!r}")

    for d in review["decisions"]:
        line = d.get(LINE_KEY)
        check_concept(d["concept"], line)
        s, e = _locate(text, d, file)
        m = main_auto.get((s, e))
        if m is None or m["concept_id"] != d["concept"]:
            raise InputError(
                file,
                f"line {line}",
                f"no {LEXICON} mention of {d['concept']!r} at {d['surface']!r} (stale review?)",
            )
        if (s, e) in decided:
            raise InputError(file, f"line {line}", f"mention {d['surface']!r} at {s}-{e} decided twice")
        decided.add((s, e))
        if d["decision"] == "accept":
            rows[(s, e)] = d["concept"]  # type: ignore[assignment]
        elif d.get("relabel"):
            check_concept(d["relabel"], line)
            rows[(s, e)] = d["relabel"]  # type: ignore[assignment]
    missing = sorted(set(main_auto) - decided)
    if missing:
        s, e = missing[0]
        raise InputError(
            file,
            None,
            f"{len(missing)} {LEXICON} mention(s) in main-text paragraphs have no decision, first "
            f"{text[s:e]!r} at {s}-{e}",
        )
    for a in review["additions"]:
        line = a.get(LINE_KEY)
        check_concept(a["concept"], line)
        s, e = _locate(text, a, file)
        u = unit_at(units, s, e)
        if u is None or not u.main:
            raise InputError(file, f"line {line}", "an addition must lie inside one main-text paragraph")
        if (s, e) in rows:
            raise InputError(
                file, f"line {line}", f"addition {a['surface']!r} duplicates an accepted mention"
            )
        rows[(s, e)] = a["concept"]  # type: ignore[assignment]
    out = []
    for (s, e), cid in sorted(rows.items()):
        u = unit_at(units, s, e)
        assert u is not None
        out.append(mention_row(doc_id, u, s, e, text, str(cid), CURATED))
    return out


def review_template(
    doc_id: str, text: str, units: Units, auto: list[dict[str, Any]], version: str
) -> dict[str, Any]:
    """A review file pre-filled with every main-text lexicon mention (decision: accept) and a context inside
    its paragraph that is unique in the document (or carries an occurrence index), for a curator to check."""
    decisions = []
    for m in auto:
        if m["paragraph_id"] is None:
            continue
        s, e = m["start"], m["end"]
        u = unit_at(units, s, e)
        assert u is not None
        lo, hi = s, e
        while True:
            ctx = text[lo:hi]
            if text.count(ctx) == 1 and ctx.count(m["surface"]) == 1 and hi - lo >= 30:
                break
            if lo <= u.start and hi >= u.end:
                break
            lo, hi = max(u.start, lo - 6), min(u.end, hi + 6)
            while lo > u.start and text[lo - 1].isalnum():
                lo -= 1
            while hi < u.end and text[hi].isalnum():
                hi += 1
        item: dict[str, Any] = {"concept": m["concept_id"], "surface": m["surface"], "context": text[lo:hi]}
        if text.count(text[lo:hi]) > 1:
            item["occurrence"] = _occurrence_index(text, text[lo:hi], lo)
        item["decision"] = "accept"
        decisions.append(item)
    return {
        "doc_id": doc_id,
        "annotator": CURATED,
        "reviewed_against": version,
        "decisions": decisions,
        "additions": [],
    }


def _occurrence_index(text: str, sub: str, at: int) -> int:
    n, i = 0, text.find(sub)
    while i != -1 and i <= at:
        n += 1
        if i == at:
            return n
        i = text.find(sub, i + 1)
    raise ValueError("substring not found at the given offset")


def tagger_scores(
    auto: list[dict[str, Any]], curated: list[dict[str, Any]], docs: set[str]
) -> dict[str, Any]:
    """Precision/recall of lexicon_v1 against curated_v1 over main-text paragraphs of reviewed documents
    (exact span and concept match), per concept and overall."""
    pred = {
        (m["doc_id"], m["start"], m["end"], m["concept_id"])
        for m in auto
        if m["doc_id"] in docs and m["paragraph_id"] is not None
    }
    gold = {(m["doc_id"], m["start"], m["end"], m["concept_id"]) for m in curated}
    per: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for x in pred:
        per[x[3]]["tp" if x in gold else "fp"] += 1
    for x in gold - pred:
        per[x[3]]["fn"] += 1

    def pr(c: dict[str, int]) -> dict[str, Any]:
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else None
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else None
        f = 2 * p * r / (p + r) if p and r else None
        return {**c, "precision": p, "recall": r, "f1": f}

    total: Counter[str] = Counter()
    for c in per.values():
        total.update(c)
    return {
        "documents": sorted(docs),
        "overall": pr(dict(total)),
        "per_concept": {k: pr(v) for k, v in sorted(per.items())},
    }


# ---------------------------------------------------------------------------------------------- stances
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
                }
            )
        rows.append(
            {
                "stance_id": sid,
                "doc_id": doc_id,
                "target_id": st["target"],
                "holder": st["holder"],
                "attribution": st["attribution"],
                "stance": st["stance"],
                "evidence": evidence,
                "rationale": " ".join(st["rationale"].split()),
                "annotator": data["annotator"],
            }
        )
    authors = Counter(r["target_id"] for r in rows if r["holder"] == "author")
    missing = [t for t in target_ids if authors[t] != 1]
    if missing:
        raise InputError(file, None, f"no holder 'author' row for target(s) {missing}")
    return rows


def check_codebook_quotes(codebook: Codebook, texts: dict[str, str], file: str) -> None:
    for c in codebook.concepts:
        src = c["source"]
        if src["kind"] != "corpus_quote":
            continue
        if src["doc_id"] not in texts:
            continue  # a document not in this corpus build (e.g. a user's subset): nothing to check against
        anchor(texts[src["doc_id"]], src["quote"], src.get("occurrence"), file, None)


def concept_rows(codebook: Codebook) -> list[dict[str, Any]]:
    rows = []
    for c in codebook.concepts:
        src = c["source"]
        rows.append(
            {
                "concept_id": c["concept_id"],
                "label": c["label"],
                "facet": c["facet"],
                "definition": " ".join(c["definition"].split()),
                "source_kind": src["kind"],
                "source_text": src.get("quote") or src.get("reference"),
                "source_doc_id": src.get("doc_id"),
                "surface_forms": list(c["surface_forms"]),
                "broader": list(c["broader"]),
                "codebook_version": codebook.version,
            }
        )
    return rows


# ---------------------------------------------------------------------------------------------- agreement
LABELS = ("favor", "against", "neutral", "none")


def cohen_kappa(a: list[str], b: list[str]) -> float | None:
    """Cohen's kappa of two label sequences (None when chance agreement is 1, i.e. kappa is undefined)."""
    n = len(a)
    if n == 0 or n != len(b):
        raise ValueError("kappa needs two label lists of the same, non-zero length")
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    ca, cb = Counter(a), Counter(b)
    p_e = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return None if p_e == 1 else (p_o - p_e) / (1 - p_e)


def stance_agreement(
    path: Path, stances: list[dict[str, Any]], docs: set[str], targets: list[str]
) -> dict[str, Any]:
    """Agreement of an independent second pass with the curated author stances."""
    data = load_config_file(path, "stance_agreement", keep_lines=True)
    first = {(s["doc_id"], s["target_id"]): s["stance"] for s in stances if s["holder"] == "author"}
    second: dict[tuple[str, str], str] = {}
    for it in data["items"]:
        line = it.get(LINE_KEY)
        if it["target"] not in targets:
            raise InputError(str(path), f"line {line}", f"unknown stance target {it['target']!r}")
        key = (it["doc_id"], it["target"])
        if key in second:
            raise InputError(str(path), f"line {line}", f"second item for {key}")
        second[key] = it["stance"]
    pairs = sorted(k for k in second if k[0] in docs and k in first)
    if not pairs:
        raise InputError(str(path), None, "no item matches a curated author stance of this build")
    a = [first[k] for k in pairs]
    b = [second[k] for k in pairs]
    confusion = {
        x: {y: sum(1 for p, q in zip(a, b, strict=True) if p == x and q == y) for y in LABELS} for x in LABELS
    }
    return {
        "annotators": [CURATED, data["annotator"]],
        "items": len(pairs),
        "observed_agreement": sum(x == y for x, y in zip(a, b, strict=True)) / len(pairs),
        "cohen_kappa": cohen_kappa(a, b),
        "confusion": confusion,
        "disagreements": [
            {"doc_id": d, "target_id": t, CURATED: first[(d, t)], data["annotator"]: second[(d, t)]}
            for d, t in pairs
            if first[(d, t)] != second[(d, t)]
        ],
    }
