"""``irbc import --format FORMAT DIR``: corrected annotations read back from a tool's files become changes of the
curated review files (accept, reject, relabel, add). Every imported span is checked against the corpus's clean
text first; every edited file is re-read and re-applied as the build would before any is written; then all are
written together, each through a temporary file and a rename."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from irbc.annotators.anchoring import unit_at
from irbc.annotators.curated import (
    CURATED,
    apply_review,
    curated_mentions,
    locate,
    quote_for,
    review_template,
)
from irbc.core.errors import InputError, InputErrors
from irbc.core.io import load_config_file, sha256_file
from irbc.core.yamlio import LINE_KEY
from irbc.formats import registry
from irbc.formats.corpus_docs import CorpusDoc, CorpusDocs, load_corpus_docs
from irbc.formats.model import ImportedDoc
from irbc.formats.review_edit import Edits, apply_edits

Spans = dict[tuple[int, int], str]


@dataclass
class DocChange:
    doc_id: str
    file: Path
    counts: Counter[str] = field(default_factory=Counter)
    new_text: str | None = None  # None: the file stays as it is


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def check_spans(doc: ImportedDoc, cd: CorpusDoc, concepts: set[str]) -> Spans:
    """The imported mentions as spans -> concept, after checking the text and every span against the clean
    text; a problem names the file and the line (or element) and the span."""
    if doc.text != cd.text:
        i = _first_difference(doc.text, cd.text)
        raise InputError(
            doc.text_file,
            f"line {doc.text[:i].count(chr(10)) + 1}",
            f"the text differs from the corpus's clean text of {doc.doc_id} from character {i} on: annotation "
            "tools may change annotations, not the text (export again from a release of this corpus)",
        )
    out: Spans = {}
    for m in doc.mentions:
        span = f"span {m.start}-{m.end}"
        if not 0 <= m.start < m.end <= len(cd.text):
            raise InputError(m.where, None, f"{span} lies outside the clean text ({len(cd.text)} characters)")
        got = cd.text[m.start : m.end]
        if m.surface is not None and m.surface != got:
            raise InputError(m.where, None, f"{span} says {m.surface!r} but the clean text there is {got!r}")
        if m.concept not in concepts:
            raise InputError(m.where, None, f"{span} {got!r}: unknown concept id {m.concept!r}")
        if unit_at(cd.units, m.start, m.end) is None:
            raise InputError(m.where, None, f"{span} {got!r} is not inside one paragraph or note")
        if out.get((m.start, m.end), m.concept) != m.concept:
            raise InputError(
                m.where, None, f"{span} {got!r} has two concepts ({out[(m.start, m.end)]}, {m.concept})"
            )
        out[(m.start, m.end)] = m.concept
    return out


def check_evidence(doc: ImportedDoc, cd: CorpusDoc) -> None:
    """Stance evidence is exported for reading; editing it is out of scope of the import: any difference from
    the curated stance file is refused, naming it."""
    have = Counter(e.key() for e in cd.evidence)
    got = Counter(e.key() for e in doc.evidence)
    if have == got:
        return
    extra = next((e for e in doc.evidence if got[e.key()] > have[e.key()]), None)
    if extra is not None:
        place, what = extra.where, f"span {extra.start}-{extra.end} ({extra.stance} on {extra.target})"
    else:
        gone = next(e for e in cd.evidence if have[e.key()] > got[e.key()])
        place, what = doc.text_file, f"evidence {gone.start}-{gone.end} of {gone.stance_id} is missing"
    raise InputError(
        place,
        None,
        f"stance evidence was changed ({what}): importing stance edits is not supported; edit {cd.stance_file} "
        "by hand, and import concept mentions only",
    )


def _current(cd: CorpusDoc, review: dict[str, Any], codebook: Any) -> Spans:
    r = apply_review(cd.doc_id, cd.text, cd.units, cd.auto, review, str(cd.review_file), codebook)
    rows = curated_mentions(r, cd.doc_id, cd.text, cd.units)
    return {(r["start"], r["end"]): r["concept_id"] for r in rows}


def plan_edits(
    cd: CorpusDoc, review: dict[str, Any], target: Spans, codebook: Any, counts: Counter[str]
) -> Edits:
    """The smallest set of edits that makes ``review`` yield ``target``; ``counts`` gets one entry per change."""
    file = str(cd.review_file)
    edits = Edits()
    lex = {(m["start"], m["end"]): m["concept_id"] for m in cd.auto}  # paragraphs and notes are both reviewed
    dec_at = {locate(cd.text, d, file): i for i, d in enumerate(review["decisions"])}
    add_at = {locate(cd.text, a, file): i for i, a in enumerate(review["additions"])}
    current = _current(cd, review, codebook)
    for span in sorted(set(current) | set(target)):
        old, new = current.get(span), target.get(span)
        if old == new and not (span in lex and span in add_at):
            continue
        if span in lex:
            c = lex[span]
            edits.decisions[dec_at[span]] = ("accept", None) if new == c else ("reject", new)
            if span in add_at:
                edits.removed_additions.add(add_at[span])
            counts["accept" if new == c else "reject" if new is None else "relabel"] += old != new
        elif span in add_at:
            if new is None:
                edits.removed_additions.add(add_at[span])
                counts["remove addition"] += 1
            else:
                edits.addition_concepts[add_at[span]] = new
                counts["relabel"] += 1
        else:
            assert new is not None
            edits.new_additions.append({"concept": new, **quote_for(cd.text, cd.units, *span)})
            counts["add"] += 1
    return edits


def _template_text(cd: CorpusDoc, codebook: Any) -> str:
    """A new review file (as ``irbc review-template`` writes it), for a document that has none yet."""
    from irbc.annotators.lexicon import LEXICON

    tpl = review_template(cd.doc_id, cd.text, cd.units, cd.auto, f"{LEXICON} / codebook {codebook.version}")
    return yaml.safe_dump(tpl, sort_keys=False, allow_unicode=True, width=1000)


def _load_review(path: Path, text: str) -> dict[str, Any]:
    """Load and validate review text as the build would (from a temporary file when it is not written yet)."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return dict(load_config_file(path, "mention_review", keep_lines=True))
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / path.name
        p.write_text(text, encoding="utf-8")
        try:
            return dict(load_config_file(p, "mention_review", keep_lines=True))
        except InputError as exc:
            raise InputError(
                str(path), exc.place, f"the edited review would be invalid: {exc.reason}"
            ) from None


@dataclass(frozen=True)
class ExportRecord:
    """What an export folder's ``irbc-export.json`` says: the layer exported, and the SHA-256 of each review
    file the release was built from (None for a folder without one, such as a tool's own export)."""

    annotator: str | None = None
    review_files: dict[str, str | None] | None = None


def _check_export(cd: CorpusDoc, rec: ExportRecord) -> None:
    """Refuse what would undo review work: an export older than the review file's last change, or an export of
    another layer (the tagger's) over a reviewed document."""
    exists = cd.review_file.is_file()
    if rec.annotator not in (None, CURATED) and exists:
        raise InputError(
            str(cd.review_file),
            None,
            f"the folder is an export of {rec.annotator}, and importing it would replace this curated review; "
            f"export {CURATED} to correct a reviewed document",
        )
    if rec.review_files is None or cd.doc_id not in rec.review_files:
        return
    if (sha256_file(cd.review_file) if exists else None) != rec.review_files[cd.doc_id]:
        raise InputError(
            str(cd.review_file),
            None,
            "changed since the release this export was made from was built; importing the export would undo "
            f"those changes: rebuild, export {cd.doc_id} again and make the corrections there (or import a "
            "folder without this document)",
        )


def change_for(doc: ImportedDoc, cd: CorpusDoc, codebook: Any, rec: ExportRecord) -> DocChange:
    """Check one imported document and work out its review file's new text (checked as the build would)."""
    target = check_spans(doc, cd, codebook.ids)
    check_evidence(doc, cd)
    change = DocChange(doc.doc_id, cd.review_file)
    exists = cd.review_file.is_file()
    if not exists and not target:
        return change
    text = cd.review_file.read_text(encoding="utf-8") if exists else _template_text(cd, codebook)
    review = _load_review(cd.review_file, text)
    edits = plan_edits(cd, review, target, codebook, change.counts)
    if not edits and exists:
        return change
    _check_export(cd, rec)
    new_text = apply_edits(text, review, edits, str(cd.review_file), LINE_KEY)
    got = _current(cd, _load_review(cd.review_file, new_text), codebook)
    if got != target:  # the edit must express the import exactly, or nothing is written
        span = sorted(set(got.items()) ^ set(target.items()))[0][0]
        raise InputError(str(cd.review_file), None, f"internal error: the edited review differs at {span}")
    change.new_text = new_text
    if not exists:
        change.counts["new review file"] += 1
    return change


def write_all(changes: list[DocChange]) -> None:
    """Write every changed file: all temporary files first, then all renames (a failure before the renames
    leaves every file as it was)."""
    staged: list[tuple[str, Path]] = []
    try:
        for c in changes:
            if c.new_text is None:
                continue
            c.file.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{c.file.name}-", suffix=".tmp", dir=c.file.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(c.new_text)
            staged.append((tmp, c.file))
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def _export_record(folder: Path) -> ExportRecord:
    from irbc.formats.export import EXPORT_MARKER

    try:
        rec = json.loads((folder / EXPORT_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ExportRecord()
    if not isinstance(rec, dict):
        return ExportRecord()
    reviews = rec.get("review_files")
    annotator = rec.get("annotator")
    return ExportRecord(annotator if isinstance(annotator, str) else None,
                        reviews if isinstance(reviews, dict) else None)  # fmt: skip


def import_corrections(fmt: str, folder: Path, corpus: Path) -> list[DocChange]:
    """Read ``folder`` in format ``fmt`` and apply its mentions to the review files of ``corpus``."""
    f = registry.get(fmt, reading=True)
    assert f.read is not None
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), None, "is not a folder")
    docs = f.read(folder)
    ids = [d.doc_id for d in docs]
    dup = next((d for d in docs if ids.count(d.doc_id) > 1), None)
    if dup is not None:
        raise InputError(dup.text_file, None, f"document {dup.doc_id} is imported twice")
    corpus_docs: CorpusDocs = load_corpus_docs(Path(corpus), ids, {d.doc_id: d.text_file for d in docs})
    rec = _export_record(folder)
    problems: list[InputError] = []
    changes = []
    for d in docs:
        try:
            changes.append(change_for(d, corpus_docs.docs[d.doc_id], corpus_docs.codebook, rec))
        except InputErrors as exc:
            problems.extend(exc.problems)
        except InputError as exc:
            problems.append(exc)
    if problems:
        raise InputErrors.of(problems)
    write_all(changes)
    return changes
