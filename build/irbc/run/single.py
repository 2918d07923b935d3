"""One document on its own, for the curator's tools: ``irbc review-template DOC_ID`` reads, cleans, splits and
tags only that document (the lexicon layer; no curated file is read, so a stale review can be replaced)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbc.annotators.anchoring import units_of
from irbc.annotators.curated import review_template
from irbc.annotators.lexicon import LEXICON
from irbc.core.errors import InputError
from irbc.run.context import make_context
from irbc.run.worker import read_and_process
from irbc.stages.annotate import annotate_document
from irbc.stages.read import load_corpus_config


def review_template_for(corpus: Path, doc_id: str) -> dict[str, Any]:
    """A curated-mention review file for ``doc_id``, pre-filled with the lexicon tagger's mentions."""
    cfg = load_corpus_config(corpus)
    src = next((s for s in cfg.sources if s["doc_id"] == doc_id), None)
    if src is None:
        known = ", ".join(s["doc_id"] for s in cfg.sources)
        raise InputError(str(cfg.root / "sources.yaml"), None, f"unknown doc_id {doc_id!r} (known: {known})")
    ctx = make_context(cfg, {}, "full")
    res, _ = read_and_process(ctx, src, str(cfg.root / "raw" / src["source_file"]))
    lexicon = [a for a in ctx.annotators if a.name == LEXICON and a.table == "concept_mentions"]
    auto = annotate_document(lexicon, res).rows["concept_mentions"]
    version = lexicon[0].env.codebook.version
    text = res.document.text or ""
    units = units_of(res.paragraphs, res.notes, res.sentences)
    return review_template(doc_id, text, units, auto, f"{LEXICON} / codebook {version}")
