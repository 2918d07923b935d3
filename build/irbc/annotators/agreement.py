"""Agreement: the lexicon layer scored against the curated layer, and a blind second pass of the author stances
against the curated ones (Cohen's kappa)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from irbc.annotators.curated import CURATED
from irbc.annotators.second_pass import AGREEMENT_FILE, SECOND_PASS
from irbc.core.errors import InputError

__all__ = ["AGREEMENT_FILE", "cohen_kappa", "stance_agreement", "tagger_scores"]


def tagger_scores(
    auto: list[dict[str, Any]], curated: list[dict[str, Any]], docs: set[str]
) -> dict[str, Any]:
    """Precision/recall of lexicon_v1 against curated_v1 over main-text paragraphs of reviewed documents
    (exact span and concept match), per concept and overall. Notes are reviewed too, but left out of the score:
    their mentions are mostly titles of cited works, which would flatter the tagger."""
    pred = {
        (m["doc_id"], m["start"], m["end"], m["concept_id"])
        for m in auto
        if m["doc_id"] in docs and m["paragraph_id"] is not None
    }
    gold = {
        (m["doc_id"], m["start"], m["end"], m["concept_id"]) for m in curated if m["paragraph_id"] is not None
    }
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


def stance_agreement(stances: list[dict[str, Any]]) -> dict[str, Any]:
    """Agreement of the blind second pass with the curated author stances, from the rows of the ``stances``
    table (so it can be recomputed from a release): the pairs that both layers label."""
    first = {(s["doc_id"], s["target_id"]): s["stance"] for s in stances
             if s["annotator"] == CURATED and s["holder"] == "author"}  # fmt: skip
    second = {(s["doc_id"], s["target_id"]): s["stance"] for s in stances if s["annotator"] == SECOND_PASS}
    pairs = sorted(k for k in second if k in first)
    if not pairs:
        raise InputError(AGREEMENT_FILE, None, "no item matches a curated author stance of this build")
    a = [first[k] for k in pairs]
    b = [second[k] for k in pairs]
    confusion = {
        x: {y: sum(1 for p, q in zip(a, b, strict=True) if p == x and q == y) for y in LABELS} for x in LABELS
    }
    return {
        "annotators": [CURATED, SECOND_PASS],
        "items": len(pairs),
        "observed_agreement": sum(x == y for x, y in zip(a, b, strict=True)) / len(pairs),
        "cohen_kappa": cohen_kappa(a, b),
        "confusion": confusion,
        "disagreements": [
            {"doc_id": d, "target_id": t, CURATED: first[(d, t)], SECOND_PASS: second[(d, t)]}
            for d, t in pairs
            if first[(d, t)] != second[(d, t)]
        ],
    }
