"""Compare rule-based sentence segmenters on the corpus's own texts: pysbd, syntok and spaCy's sentencizer
(``spacy.blank("en")`` + ``sentencizer``: no model is downloaded), and irbc's own configuration of the winner
(``irbc.stages.sentences``, with the declared abbreviations of ``corpus/profiles.yaml``).

    python benchmarks/segmenters.py [--corpus corpus] [--cases benchmarks/segmenter_cases.yaml]

Every paragraph and note of the five clean texts is segmented on its own; each hand-checked case of
``segmenter_cases.yaml`` (a point between ``left`` and ``right``, with whether a sentence starts there) is then
scored: a split where there is none (false split) or no split where there is one (missed split) is an error.
Prints, per segmenter, errors by kind, sentences found and seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build"))

Segmenter = Callable[[str], list[int]]  # text -> start offsets of its sentences


def pysbd_segmenter() -> Segmenter:
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return lambda text: [s.start for s in seg.segment(text)]


def pysbd_declared(corpus: Path) -> Segmenter:
    """pysbd with the declared abbreviations added to its English list (a module-level list: pysbd has no API
    for it, so this changes pysbd for the rest of the process; run it after plain pysbd)."""
    from pysbd.lang.english import English

    from irbc.stages.read import load_corpus_config

    declared = load_corpus_config(corpus).profile("default")["sentences"]["abbreviations"]
    known = English.Abbreviation.ABBREVIATIONS
    English.Abbreviation.ABBREVIATIONS = known + [a.rstrip(".").lower() for a in declared if a not in known]
    return pysbd_segmenter()


def syntok_segmenter() -> Segmenter:
    from syntok import segmenter

    def run(text: str) -> list[int]:
        return [sent[0].offset for para in segmenter.analyze(text) for sent in para if sent]

    return run


def spacy_segmenter() -> Segmenter:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return lambda text: [s.start_char for s in nlp(text).sents]


def irbc_segmenter(corpus: Path) -> Callable[[str], Segmenter]:
    from irbc.stages.read import load_corpus_config
    from irbc.stages.sentences import sentence_spans

    cfg = load_corpus_config(corpus)

    def for_site(site: str) -> Segmenter:
        prof = cfg.profile(site)
        return lambda text: [s for s, _ in sentence_spans(text, prof)]

    return for_site


def _every_site(seg: Segmenter) -> Callable[[str], Segmenter]:
    return lambda site: seg


def units(corpus: Path) -> dict[str, tuple[str, str, list[tuple[int, int]]]]:
    """doc_id -> (site, clean text, [(start, end) of every paragraph and note])."""
    from irbc.stages.document import process_document
    from irbc.stages.read import load_corpus_config, read_raw

    cfg = load_corpus_config(corpus)
    out = {}
    for src in cfg.sources:
        raw, sha = read_raw(cfg.root / "raw" / src["source_file"])
        res = process_document(src, raw, cfg.rules, cfg.profile(src["site"]), sha)
        spans = [(p.start, p.end) for p in res.paragraphs] + [(n.start, n.end) for n in res.notes]
        out[src["doc_id"]] = (src["site"], res.document.text or "", sorted(spans))
    return out


def starts(docs: dict[str, tuple[str, str, list[tuple[int, int]]]], seg: Callable[[str], Segmenter]) -> dict:
    found: dict[str, set[int]] = {}
    for doc_id, (site, text, spans) in docs.items():
        run = seg(site)
        found[doc_id] = {s + b for s, e in spans for b in run(text[s:e])}
    return found


def score(cases: list[dict], docs: dict, found: dict[str, set[int]]) -> tuple[int, int, list[str]]:
    false_split = missed = 0
    wrong = []
    for c in cases:
        text = docs[c["doc"]][1]
        at = text.index(c["left"] + c["right"]) + len(c["left"])
        while at < len(text) and text[at] == " ":
            at += 1
        split = at in found[c["doc"]]
        if split and not c["boundary"]:
            false_split += 1
        elif c["boundary"] and not split:
            missed += 1
        else:
            continue
        wrong.append(f"{'false split' if split else 'missed split'}: {c['left'][-30:]!r} | {c['right']!r}")
    return false_split, missed, wrong


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--cases", type=Path, default=ROOT / "benchmarks" / "segmenter_cases.yaml")
    ap.add_argument("--show", action="store_true", help="list every wrong case")
    ap.add_argument("--libraries-only", action="store_true", help="skip irbc's own configuration")
    a = ap.parse_args()
    cases = yaml.safe_load(a.cases.read_text(encoding="utf-8"))["cases"]
    docs = units(a.corpus)
    segmenters: list[tuple[str, Callable[[], Callable[[str], Segmenter]]]] = [
        ("pysbd 0.3", lambda: _every_site(pysbd_segmenter())),
        ("syntok 1.4", lambda: _every_site(syntok_segmenter())),
        ("spaCy 3.8 sentencizer", lambda: _every_site(spacy_segmenter())),
        ("pysbd 0.3 + declared abbreviations", lambda: _every_site(pysbd_declared(a.corpus))),
        ("irbc: spaCy sentencizer + declared abbreviations", lambda: irbc_segmenter(a.corpus)),
    ]
    if a.libraries_only:
        segmenters = segmenters[:3]
    n_true = sum(1 for c in cases if c["boundary"])
    print(f"{len(cases)} cases ({n_true} true boundaries, {len(cases) - n_true} abbreviation points)")
    print("| segmenter | false splits | missed splits | errors | sentences | seconds |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, make in segmenters:
        seg = make()
        t0 = time.perf_counter()
        found = starts(docs, seg)
        secs = time.perf_counter() - t0
        fs, ms, wrong = score(cases, docs, found)
        total = sum(len(v) for v in found.values())
        print(f"| {name} | {fs} | {ms} | {fs + ms} | {total} | {secs:.2f} |")
        if a.show:
            for w in wrong:
                print("    " + w)


if __name__ == "__main__":
    main()
