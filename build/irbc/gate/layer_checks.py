"""Integrity checks across annotation layers: the curated author stances, the blind second pass, the notes a
stance holder is linked to, and the ``mention_reviews`` rows against the two mention layers they connect.
Registered with ``gate/integrity.integrity_check`` (``gate/records`` imports this module)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from irbc.annotators.curated import CURATED
from irbc.annotators.lexicon import LEXICON
from irbc.annotators.second_pass import SECOND_PASS
from irbc.gate.integrity import Records, _check, integrity_check
from irbc.gate.report import Check


@integrity_check("author_stances_v2")
def author_stances(r: Records) -> list[Check]:
    """Every document x target has exactly one curated_v1 author row (documents with curated stances)."""
    targets = [t["target_id"] for t in r.tables["stance_targets"]]
    rows = [s for s in r.tables["stances"] if s["annotator"] == CURATED]
    n = Counter((s["doc_id"], s["target_id"]) for s in rows if s["holder"] == "author")
    probs = [
        f"{d} x {t}: {n[(d, t)]} author rows"
        for d in sorted({s["doc_id"] for s in rows})
        for t in targets
        if n[(d, t)] != 1
    ]
    name = "every document x target has exactly one curated_v1 author stance"
    return [_check(name, "stances", len(rows), probs)]


@integrity_check("second_pass_stances_v1")
def second_pass_stances(r: Records) -> list[Check]:
    """Second-pass rows are labels of the author stance only, one per pair that has a curated author row."""
    first = {(s["doc_id"], s["target_id"]) for s in r.tables["stances"]
             if s["annotator"] == CURATED and s["holder"] == "author"}  # fmt: skip
    rows = [s for s in r.tables["stances"] if s["annotator"] == SECOND_PASS]
    seen: Counter[tuple[str, str]] = Counter((s["doc_id"], s["target_id"]) for s in rows)
    probs = []
    for s in rows:
        key = (s["doc_id"], s["target_id"])
        if s["holder"] != "author" or s["attribution"] != "asserted" or s["evidence"] or s["rationale"]:
            probs.append(f"{s['stance_id']}: not a bare author label")
        if key not in first or seen[key] != 1:
            probs.append(
                f"{s['stance_id']}: {seen[key]} second-pass rows, curated author row: {key in first}"
            )
    name = "second-pass rows label curated author stances, once each"
    return [_check(name, "stances", len(rows), probs)]


@integrity_check("holder_notes_v1")
def holder_notes(r: Records) -> list[Check]:
    """holder_note_ids name notes of the stance's own document, and only rows of a reported holder have any."""
    notes = {n["note_id"]: n["doc_id"] for n in r.tables["notes"]}
    probs, n = [], 0
    for s in r.tables["stances"]:
        for nid in s["holder_note_ids"]:
            n += 1
            if notes.get(nid) != s["doc_id"]:
                probs.append(f"{s['stance_id']}: holder note {nid!r} is not a note of {s['doc_id']}")
        if s["holder_note_ids"] and s["attribution"] == "asserted":
            probs.append(f"{s['stance_id']}: the author's own row links holder notes")
    return [_check("holder_note_ids are notes of the same document", "stances", n, probs)]


def _review_problem(v: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> str | None:
    for col, layer in (("lexicon", LEXICON), ("curated", CURATED)):
        mid, cid = v[f"{col}_mention_id"], v[f"{col}_concept_id"]
        if (mid is None) != (cid is None):
            return f"{col}_mention_id and {col}_concept_id must both be set or both be null"
        m = by_id.get(mid) if mid is not None else None
        if mid is not None and (
            m is None
            or m["annotator"] != layer
            or (m["start"], m["end"], m["concept_id"]) != (v["start"], v["end"], cid)
        ):
            return f"{col} mention {mid!r} is not a {layer} mention of {cid!r} at {v['start']}-{v['end']}"
    lex, cur = v["lexicon_concept_id"], v["curated_concept_id"]
    expected = {"add": lex is None and cur is not None, "reject": lex is not None and cur is None,
                "accept": lex is not None and lex == cur, "relabel": None not in (lex, cur) and lex != cur}  # fmt: skip
    return None if expected[v["decision"]] else f"decision {v['decision']!r} does not fit {lex!r} -> {cur!r}"


@integrity_check("mention_reviews_v1")
def mention_reviews(r: Records) -> list[Check]:
    """Every review row points at the lexicon_v1 mention it decides and the curated_v1 mention it produced; in a
    reviewed document every mention of either layer has exactly one review row."""
    by_id = {m["mention_id"]: m for m in r.tables["concept_mentions"]}
    reviews = r.tables["mention_reviews"]
    probs = [f"{v['review_id']}: {p}" for v in reviews if (p := _review_problem(v, by_id)) is not None]
    covered: defaultdict[str, int] = defaultdict(int)
    for v in reviews:
        for col in ("lexicon_mention_id", "curated_mention_id"):
            if v[col] is not None:
                covered[v[col]] += 1
    reviewed = {v["doc_id"] for v in reviews}
    for m in r.tables["concept_mentions"]:
        if m["doc_id"] in reviewed and covered[m["mention_id"]] != 1:
            probs.append(f"{m['mention_id']}: {covered[m['mention_id']]} review rows")
    name = "review rows connect the lexicon_v1 and curated_v1 mentions of reviewed documents"
    return [_check(name, "mention_reviews", len(reviews), probs)]
