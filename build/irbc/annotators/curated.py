"""``curated_v1`` concept mentions: a review file per document (``corpus/annotations/mentions/<doc_id>.yaml``)
accepts, rejects or relabels every lexicon mention in the document's paragraphs and notes and adds the ones it
missed. Every decision is kept (``Review.log``) for the ``mention_reviews`` table (``annotators/reviews.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from irbc.annotators.anchoring import Units, anchor, mention_row, unit_at
from irbc.annotators.codebook import Codebook
from irbc.annotators.lexicon import LEXICON
from irbc.annotators.registry import Annotation, Annotator, DocInput, register
from irbc.core.errors import InputError
from irbc.core.io import load_config_file, sha256_file
from irbc.core.yamlio import LINE_KEY

CURATED = "curated_v1"


def locate(text: str, item: dict[str, Any], file: str) -> tuple[int, int]:
    """The span of a decision's or an addition's surface, found inside its (unique or numbered) context."""
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


@dataclass(frozen=True)
class Decision:
    """One review decision as the review file states it: the span, what the tagger said, what the curated
    layer says (None for a reject), and the reviewer's comment."""

    start: int
    end: int
    decision: str  # accept | reject | relabel | add
    lexicon_concept: str | None
    curated_concept: str | None
    comment: str | None


class Review:
    """One review file applied to one document's lexicon mentions: span -> curated concept id."""

    def __init__(
        self, text: str, units: Units, auto: list[dict[str, Any]], file: str, codebook: Codebook
    ) -> None:
        self.text, self.units, self.file, self.codebook = text, units, file, codebook
        self.auto = {(m["start"], m["end"]): m for m in auto}
        self.decided: set[tuple[int, int]] = set()
        self.rows: dict[tuple[int, int], str] = {}
        self.log: list[Decision] = []

    def fail(self, line: int | None, reason: str) -> InputError:
        return InputError(self.file, f"line {line}", reason)

    def check_concept(self, cid: str, line: int | None) -> None:
        if cid not in self.codebook.ids:
            raise self.fail(line, f"unknown concept id {cid!r}")

    def decide(self, d: dict[str, Any]) -> None:
        line = d.get(LINE_KEY)
        self.check_concept(d["concept"], line)
        s, e = locate(self.text, d, self.file)
        m = self.auto.get((s, e))
        if m is None or m["concept_id"] != d["concept"]:
            raise self.fail(
                line, f"no {LEXICON} mention of {d['concept']!r} at {d['surface']!r} (stale review?)"
            )
        if (s, e) in self.decided:
            raise self.fail(line, f"mention {d['surface']!r} at {s}-{e} decided twice")
        self.decided.add((s, e))
        comment = " ".join(d["comment"].split()) if d.get("comment") else None
        if d["decision"] == "accept":
            if d.get("relabel"):
                raise self.fail(line, "an accepted mention cannot be relabelled (reject it and relabel)")
            self.rows[(s, e)] = d["concept"]
            self.log.append(Decision(s, e, "accept", d["concept"], d["concept"], comment))
        elif d.get("relabel"):
            self.check_concept(d["relabel"], line)
            self.rows[(s, e)] = d["relabel"]
            self.log.append(Decision(s, e, "relabel", d["concept"], d["relabel"], comment))
        else:
            self.log.append(Decision(s, e, "reject", d["concept"], None, comment))

    def check_all_decided(self) -> None:
        missing = sorted(set(self.auto) - self.decided)
        if missing:
            s, e = missing[0]
            raise InputError(
                self.file,
                None,
                f"{len(missing)} {LEXICON} mention(s) have no decision, first {self.text[s:e]!r} at {s}-{e}",
            )

    def add(self, a: dict[str, Any]) -> None:
        line = a.get(LINE_KEY)
        self.check_concept(a["concept"], line)
        s, e = locate(self.text, a, self.file)
        if unit_at(self.units, s, e) is None:
            raise self.fail(line, "an addition must lie inside one paragraph or note")
        if (s, e) in self.rows:
            raise self.fail(line, f"addition {a['surface']!r} duplicates an accepted mention")
        self.rows[(s, e)] = a["concept"]
        comment = " ".join(a["comment"].split()) if a.get("comment") else None
        self.log.append(Decision(s, e, "add", None, a["concept"], comment))


def apply_review(
    doc_id: str,
    text: str,
    units: Units,
    auto: list[dict[str, Any]],
    review: dict[str, Any],
    file: str,
    codebook: Codebook,
) -> Review:
    """Apply a review file: every lexicon mention (paragraphs and notes) must be accepted, rejected or
    relabelled; additions are anchored by quotes."""
    if review["doc_id"] != doc_id:
        raise InputError(file, "/doc_id", f"review file is for {review['doc_id']!r}, expected {doc_id!r}")
    r = Review(text, units, auto, file, codebook)
    for d in review["decisions"]:
        r.decide(d)
    r.check_all_decided()
    for a in review["additions"]:
        r.add(a)
    return r


def curated_mentions(r: Review, doc_id: str, text: str, units: Units) -> list[dict[str, Any]]:
    """The curated_v1 rows of an applied review file (see ``apply_review``), in text order."""
    out = []
    for (s, e), cid in sorted(r.rows.items()):
        u = unit_at(units, s, e)
        assert u is not None
        out.append(mention_row(doc_id, units, u, s, e, text, str(cid), CURATED))
    return out


def review_template(
    doc_id: str, text: str, units: Units, auto: list[dict[str, Any]], version: str
) -> dict[str, Any]:
    """A review file pre-filled with every lexicon mention of the document's paragraphs and notes (decision:
    accept) and a context inside its unit that is unique in the document (or carries an occurrence index), for a
    curator to check."""
    decisions = []
    for m in auto:
        item: dict[str, Any] = {"concept": m["concept_id"], **quote_for(text, units, m["start"], m["end"])}
        item["decision"] = "accept"
        decisions.append(item)
    return {
        "doc_id": doc_id,
        "annotator": CURATED,
        "reviewed_against": version,
        "decisions": decisions,
        "additions": [],
    }


def quote_for(text: str, units: Units, s: int, e: int) -> dict[str, Any]:
    """``surface``, ``context`` (grown word by word inside the span's unit until it is unique in the document and
    at least 30 characters long; the surface alone if the unit holds it twice) and, if it still is not unique,
    ``occurrence``: what a review file anchors by."""
    u = unit_at(units, s, e)
    assert u is not None
    surface = text[s:e]
    lo, hi = s, e
    while True:
        ctx = text[lo:hi]
        if text.count(ctx) == 1 and ctx.count(surface) == 1 and hi - lo >= 30:
            break
        if lo <= u.start and hi >= u.end:
            break
        lo, hi = max(u.start, lo - 6), min(u.end, hi + 6)
        while lo > u.start and text[lo - 1].isalnum():
            lo -= 1
        while hi < u.end and text[hi].isalnum():
            hi += 1
    if text[lo:hi].count(surface) != 1:  # the unit holds the surface twice: number it in the whole text
        lo, hi = s, e
    item: dict[str, Any] = {"surface": surface, "context": text[lo:hi]}
    if text.count(text[lo:hi]) > 1:
        item["occurrence"] = _occurrence_index(text, text[lo:hi], lo)
    return item


def _occurrence_index(text: str, sub: str, at: int) -> int:
    n, i = 0, text.find(sub)
    while i != -1 and i <= at:
        n += 1
        if i == at:
            return n
        i = text.find(sub, i + 1)
    raise ValueError("substring not found at the given offset")


@register
class CuratedMentions(Annotator):
    """The reviewed mention layer of the documents that have a review file."""

    name = CURATED
    table = "concept_mentions"
    description = (
        "reviewed by the project's annotators: every automatic mention in the paragraphs and notes accepted, "
        "relabelled or rejected, missed mentions added"
    )
    gold = True
    needs = (f"concept_mentions/{LEXICON}",)
    folder = "mentions"

    def annotate(self, doc: DocInput, earlier: dict[str, list[dict[str, Any]]]) -> Annotation | None:
        path = self.file_for(doc.doc_id)
        if not path.is_file():
            return None
        r = reviewed(doc, path, earlier[f"concept_mentions/{LEXICON}"], self.env.codebook)
        rows = curated_mentions(r, doc.doc_id, doc.text, doc.units)
        return Annotation(rows, {review_input(doc.doc_id): sha256_file(path)})


def reviewed(doc: DocInput, path: Path, auto: list[dict[str, Any]], codebook: Codebook) -> Review:
    """A document's review file loaded and applied to its lexicon mentions, once per document: the curated
    layer and the ``mention_reviews`` table both read it."""

    def make() -> Review:
        review = load_config_file(path, "mention_review", keep_lines=True)
        return apply_review(doc.doc_id, doc.text, doc.units, auto, review, str(path), codebook)

    return doc.once(("mention_review", str(path)), make)  # type: ignore[no-any-return]


def review_input(doc_id: str) -> str:
    """The corpus-relative path of a document's review file (as recorded in the build's provenance)."""
    return f"corpus/annotations/mentions/{doc_id}.yaml"
