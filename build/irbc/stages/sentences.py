"""The sentences stage: every paragraph and note split into sentences by the rules of spaCy's rule-based
``sentencizer`` (``spacy.blank("en")``: a tokenizer and punctuation rules, no model). The abbreviations a period
does not end a sentence after (``vol.``, ``pp.``, ``chap.`` ...) are declared in ``corpus/profiles.yaml``
(``sentences.abbreviations``) and become tokenizer special cases; ``benchmarks/segmenters.py`` measures the
choice against pysbd and syntok on hand-checked cases of these texts. Sentences are stand-off spans: the
sentences of a unit tile it, with only whitespace between them.

How it runs fast and still gives spaCy's sentences (``SpacySentences`` is spaCy's own pipeline, the reference
that tests compare with). The sentencizer starts a sentence at the first token after a sentence-final character
(one of its ``punct_chars``, as a token of its own) that is neither punctuation nor such a character. spaCy's
tokenizer splits the text at whitespace first and tokenizes each whitespace-free chunk on its own (prefixes,
suffixes, infixes and special cases, cached by the chunk's text); a run of whitespace other than one space
after a chunk is a token of its own, which is never punctuation. So only two things decide a sentence start:
the chunks that hold a sentence-final character, and the tokens right after one. ``FastSentences`` finds those
chunks with one regular expression, tokenizes each distinct chunk once with the same spaCy tokenizer (its
tokens' kinds are kept in a cache), and walks on from a sentence-final token to the next token that is not
punctuation. A chunk with no such character and nothing but letters and digits is one ordinary token for this
purpose, so most of the text is never tokenized.

One step of spaCy's tokenizer looks across chunks: after tokenizing, it matches the special cases (``don't``,
``:P``, the declared abbreviations ...) once more over the token sequence, and a match across one space (``:``
ending one chunk, ``P`` starting the next) is kept in place of an overlapping one inside a chunk, so that
``": p.Ux"`` keeps ``p`` and ``.`` apart where ``"p.Ux"`` alone makes ``p.`` one token. A text that holds a
special case with a space at one of its token boundaries (found with one Aho–Corasick pass) is therefore
tokenized whole by spaCy (about 7 % of the units of these texts), and the sentencizer's rule read off its tokens. ``tests/test_sentences_fast.py`` checks that
both give the same spans on every unit of the corpus and on generated texts."""

from __future__ import annotations

import itertools
import re
from functools import cache
from typing import Any

from irbc.core.records import Note, Paragraph, Sentence

PLAIN, PUNCT, FINAL = 0, 1, 2  # token kinds: starts a sentence after FINAL; punctuation; sentence-final
_CACHE_LIMIT = 500_000  # distinct chunks kept per pipeline (then the cache starts again)


@cache
def _pipeline(abbreviations: tuple[str, ...]) -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    tokenizer: Any = nlp.tokenizer  # spaCy types it as a callable; it is a Tokenizer
    for a in abbreviations:
        tokenizer.add_special_case(a, [{"ORTH": a}])
    return nlp


def _abbreviations(prof: dict[str, Any]) -> tuple[str, ...]:
    return tuple((prof.get("sentences") or {}).get("abbreviations") or ())


def _trimmed(text: str, bounds: list[int]) -> list[tuple[int, int]]:
    """Sentences from their first tokens' offsets, whitespace trimmed; a sentence of whitespace alone joins
    none (it is space between sentences)."""
    out = []
    ends = [*bounds[1:], len(text)]
    for s, e in zip(bounds, ends, strict=True):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


class SpacySentences:
    """spaCy's pipeline as it is: tokenizer, then sentencizer (the reference; slow on long texts)."""

    def __init__(self, abbreviations: tuple[str, ...]) -> None:
        self.nlp = _pipeline(abbreviations)

    def __call__(self, text: str) -> list[tuple[int, int]]:
        if not text:
            return []
        return _trimmed(text, [sent.start_char for sent in self.nlp(text).sents])


class FastSentences:
    """The same sentences as ``SpacySentences``, tokenizing only the chunks that can decide one."""

    def __init__(self, abbreviations: tuple[str, ...]) -> None:
        nlp = _pipeline(abbreviations)
        self.tokenizer = nlp.tokenizer
        self.final = frozenset(nlp.get_pipe("sentencizer").punct_chars)
        if any(c.isalnum() or c.isspace() or len(c) != 1 for c in self.final):
            raise ValueError("sentence-final characters must be single non-alphanumeric characters")
        # a character class of 128 characters scans slowly: the ASCII ones, and every character from the first
        # non-ASCII one on (checked against the set when found)
        ascii_final = "".join(sorted(re.escape(c) for c in self.final if c.isascii()))
        first = min((ord(c) for c in self.final if not c.isascii()), default=0x10FFFF)
        self.candidate = re.compile(f"[{ascii_final}\\U{first:08x}-\\U0010ffff]")
        self.chunk_end = re.compile(r"\s|\Z")
        self.non_space = re.compile(r"\S")
        self.kinds: dict[str, tuple[tuple[int, int], ...]] = {}
        self.final_orths = frozenset(nlp.vocab.strings.add(c) for c in self.final)
        self.across = _across_spaces(nlp)

    def _kinds(self, chunk: str) -> tuple[tuple[int, int], ...]:
        """(offset, kind) of each token of a whitespace-free chunk, as spaCy's tokenizer makes them."""
        if chunk.isalnum():
            return ((0, PLAIN),)  # no punctuation in it: whatever its tokens, they are ordinary ones
        got = self.kinds.get(chunk)
        if got is None:
            final = self.final
            got = tuple(
                (t.idx, FINAL if t.text in final else PUNCT if t.is_punct else PLAIN)
                for t in self.tokenizer(chunk)
            )
            if len(self.kinds) >= _CACHE_LIMIT:
                self.kinds.clear()
            self.kinds[chunk] = got
        return got

    def starts(self, text: str) -> list[int]:
        """The offset of the first token of every sentence of ``text``."""
        bounds, seen, pos, n = [0], False, 0, len(text)
        while pos < n:
            if not seen:
                m = self.candidate.search(text, pos)
                while m is not None and m.group() not in self.final:
                    m = self.candidate.search(text, m.end())
                if m is None:
                    break
                cs = m.start()  # the chunk holding it starts after the whitespace before it
                while cs > pos and not text[cs - 1].isspace():
                    cs -= 1
            else:  # after a sentence-final token: the next token
                q = self.non_space.search(text, pos)
                if q is None:
                    break  # only whitespace follows: no sentence of its own
                cs = q.start()
                if cs - pos > 1 or text[pos] != " ":  # whitespace other than one space is a token
                    bounds.append(pos + 1 if text[pos] == " " else pos)
                    seen, pos = False, cs
                    continue
            ce = self.chunk_end.search(text, cs).start()  # type: ignore[union-attr]
            for off, kind in self._kinds(text[cs:ce]):
                if kind == FINAL:
                    seen = True
                elif seen and kind == PLAIN:
                    bounds.append(cs + off)
                    seen = False
            pos = ce
        return bounds

    def __call__(self, text: str) -> list[tuple[int, int]]:
        if not text:
            return []
        for _ in self.across.iter(text):
            return _trimmed(text, self.token_starts(text))  # a special case across a space
        return _trimmed(text, self.starts(text))

    def token_starts(self, text: str) -> list[int]:
        """``starts`` from spaCy's tokenization of the whole text (the sentencizer's rule over its tokens, read
        as arrays rather than as Token objects)."""
        from spacy.attrs import IDX, IS_PUNCT, ORTH

        bounds, seen, final = [0], False, self.final_orths
        for idx, punct, orth in self.tokenizer(text).to_array([IDX, IS_PUNCT, ORTH]).tolist():
            if orth in final:
                seen = True
            elif seen and not punct:
                bounds.append(idx)
                seen = False
        return bounds


def _across_spaces(nlp: Any) -> Any:
    """An Aho–Corasick automaton of every special case of the tokenizer written with one space at one or more
    of its token boundaries (its tokens as the tokenizer's affix rules alone make them, as spaCy matches them)."""
    import ahocorasick
    from spacy.tokenizer import Tokenizer

    tok = nlp.tokenizer
    bare = Tokenizer(
        nlp.vocab,
        rules={},
        prefix_search=tok.prefix_search,
        suffix_search=tok.suffix_search,
        infix_finditer=tok.infix_finditer,
        token_match=tok.token_match,
        url_match=tok.url_match,
    )
    auto = ahocorasick.Automaton()
    for key in tok.rules:
        parts = [t.text for t in bare(key)]
        for r in range(1, len(parts)):
            for cuts in itertools.combinations(range(1, len(parts)), r):
                spaced = "".join((" " if i in cuts else "") + p for i, p in enumerate(parts))
                auto.add_word(spaced, spaced)
    if len(auto) == 0:
        auto.add_word("\x00 \x00", "")  # an automaton needs a word; no text of the corpus holds NUL
    auto.make_automaton()
    return auto


@cache
def _segmenter(abbreviations: tuple[str, ...]) -> FastSentences:
    return FastSentences(abbreviations)


def warm(profiles: list[dict[str, Any]]) -> None:
    """Build the pipeline of every profile now: importing spaCy and making a pipeline take about 2 s, and
    worker processes forked after this inherit them instead of paying it each (a worker is replaced every
    few dozen chunks)."""
    for prof in profiles:
        _segmenter(_abbreviations(prof))


def sentence_spans(text: str, prof: dict[str, Any]) -> list[tuple[int, int]]:
    """The sentences of one text (a paragraph or a note), as offsets into it."""
    return _segmenter(_abbreviations(prof))(text)


def sentence_records(
    doc_id: str, text: str, paragraphs: list[Paragraph], notes: list[Note], prof: dict[str, Any]
) -> list[Sentence]:
    """The sentences of a document in text order, each in the paragraph or note it belongs to."""
    units = sorted(
        [(p.start, p.end, p.paragraph_id, True) for p in paragraphs]
        + [(n.start, n.end, n.note_id, False) for n in notes]
    )
    split = _segmenter(_abbreviations(prof))
    out: list[Sentence] = []
    for start, end, uid, is_par in units:
        for k, (s, e) in enumerate(split(text[start:end])):
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
