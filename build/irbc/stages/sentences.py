"""The sentences stage: every paragraph and note split into sentences by spaCy's rule-based ``sentencizer``
(``spacy.blank("en")``: a tokenizer and punctuation rules, no model). The abbreviations a period does not end a
sentence after (``vol.``, ``pp.``, ``chap.`` ...) are declared in ``corpus/profiles.yaml``
(``sentences.abbreviations``) and become tokenizer special cases; ``benchmarks/segmenters.py`` measures the
choice against pysbd and syntok on hand-checked cases of these texts. Sentences are stand-off spans: the
sentences of a unit tile it, with only whitespace between them."""

from __future__ import annotations

from functools import cache
from typing import Any

from irbc.core.records import Note, Paragraph, Sentence


@cache
def _pipeline(abbreviations: tuple[str, ...]) -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    tokenizer: Any = nlp.tokenizer  # spaCy types it as a callable; it is a Tokenizer
    for a in abbreviations:
        tokenizer.add_special_case(a, [{"ORTH": a}])
    return nlp


def _nlp(prof: dict[str, Any]) -> Any:
    return _pipeline(tuple((prof.get("sentences") or {}).get("abbreviations") or ()))


def warm(profiles: list[dict[str, Any]]) -> None:
    """Build the pipeline of every profile now: importing spaCy and making a pipeline take about 2 s, and
    worker processes forked after this inherit them instead of paying it each (a worker is replaced every
    few dozen chunks)."""
    for prof in profiles:
        _nlp(prof)


def _spans(doc: Any) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a spaCy doc, whitespace trimmed; a sentence of whitespace alone joins
    none (it is space between sentences)."""
    text = doc.text
    out = []
    for sent in doc.sents:
        s, e = sent.start_char, sent.end_char
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def sentence_spans(text: str, prof: dict[str, Any]) -> list[tuple[int, int]]:
    """The sentences of one text (a paragraph or a note), as offsets into it."""
    return _spans(_nlp(prof)(text))


def sentence_records(
    doc_id: str, text: str, paragraphs: list[Paragraph], notes: list[Note], prof: dict[str, Any]
) -> list[Sentence]:
    """The sentences of a document in text order, each in the paragraph or note it belongs to."""
    units = sorted(
        [(p.start, p.end, p.paragraph_id, True) for p in paragraphs]
        + [(n.start, n.end, n.note_id, False) for n in notes]
    )
    nlp = _nlp(prof)
    out: list[Sentence] = []
    docs = nlp.pipe(text[s:e] for s, e, _, _ in units)
    for (start, _, uid, is_par), doc in zip(units, docs, strict=True):
        for k, (s, e) in enumerate(_spans(doc)):
            out.append(
                Sentence(
                    f"{uid}.{k}",
                    doc_id,
                    uid if is_par else None,
                    None if is_par else uid,
                    len(out),
                    start + s,
                    start + e,
                )
            )
    return out
