"""spaCy ``DocBin`` (``corpus.spacy``): one ``Doc`` per document, tokenised by a blank English pipeline
(``spacy.blank("en")``, no model) with tokens split wherever a mention or evidence boundary falls inside one, so
every span is exact; mentions in ``doc.spans["concepts"]`` (label: concept id), stance evidence in
``doc.spans["stance_evidence"]`` (label: the stance, ``kb_id``: the stance id), paragraphs and notes in
``doc.spans["paragraphs"]`` (label: kind). spaCy is the optional extra ``spacy``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbc.core.errors import IrbcError
from irbc.formats.model import ExportData, ExportDoc
from irbc.formats.registry import format_exporter

DOCBIN = "corpus.spacy"


def _words(nlp: Any, text: str, cuts: set[int]) -> tuple[list[str], list[bool]]:
    """The blank tokenizer's tokens, split at every offset of ``cuts`` that falls inside a token."""
    words, spaces = [], []
    for tok in nlp.tokenizer(text):
        a, b = tok.idx, tok.idx + len(tok.text)
        inner = sorted(c for c in cuts if a < c < b)
        for lo, hi in zip([a, *inner], [*inner, b], strict=True):
            words.append(text[lo:hi])
            spaces.append(False)
        spaces[-1] = bool(tok.whitespace_)
    return words, spaces


def to_doc(nlp: Any, doc: ExportDoc) -> Any:
    from spacy.tokens import Doc

    spans = [(m["start"], m["end"]) for m in doc.mentions] + [(e.start, e.end) for e in doc.evidence]
    spans += [(s, e) for s, e, _ in doc.paragraphs + doc.notes]
    words, spaces = _words(nlp, doc.text, {x for span in spans for x in span})
    d = Doc(nlp.vocab, words=words, spaces=spaces)
    assert d.text == doc.text

    def span(s: int, e: int, label: str, kb_id: str = "") -> Any:
        sp = d.char_span(s, e, label=label, kb_id=kb_id, alignment_mode="strict")
        if sp is None:  # boundaries are token boundaries by construction
            raise IrbcError(f"{doc.doc_id}: span {s}-{e} does not align with tokens")
        return sp

    d.spans["concepts"] = [span(m["start"], m["end"], m["concept_id"]) for m in doc.mentions]
    d.spans["stance_evidence"] = [span(e.start, e.end, e.stance, e.stance_id) for e in doc.evidence]
    d.spans["paragraphs"] = [span(s, e, kind) for s, e, kind in doc.paragraphs] + [
        span(s, e, "note") for s, e, _ in doc.notes
    ]
    d.user_data["doc_id"] = doc.doc_id
    d.user_data["title"] = doc.title
    return d


@format_exporter("spacy", "spaCy DocBin (corpus.spacy): mentions in doc.spans['concepts']")
def export_spacy(data: ExportData, out: Path) -> None:
    try:
        import spacy
        from spacy.tokens import DocBin
    except ImportError:
        raise IrbcError(
            "the spacy format needs spaCy (a core dependency of irbc): pip install 'spacy>=3.8,<4'"
        ) from None
    nlp = spacy.blank("en")
    db = DocBin(store_user_data=True)
    for doc in data.docs:
        db.add(to_doc(nlp, doc))
    (out / DOCBIN).write_bytes(db.to_bytes())
