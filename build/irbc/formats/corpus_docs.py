"""The corpus side of an import: for each document named by the imported files, its clean text, paragraphs and
notes, the lexicon mentions its review decides on, its current review file and its current stance evidence, all
computed from the corpus folder as a build would (only those documents are read)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from irbc.annotators.anchoring import Units, units_of
from irbc.annotators.codebook import Codebook
from irbc.annotators.lexicon import LEXICON
from irbc.core.errors import InputError
from irbc.formats.model import Evidence
from irbc.formats.source import evidence_of


@dataclass
class CorpusDoc:
    doc_id: str
    text: str
    units: Units
    auto: list[dict[str, Any]]  # lexicon_v1 rows
    evidence: list[Evidence]  # curated stance evidence
    review_file: Path
    stance_file: Path


@dataclass
class CorpusDocs:
    root: Path
    codebook: Codebook
    docs: dict[str, CorpusDoc]


def load_corpus_docs(corpus: Path, doc_ids: list[str], where: dict[str, str]) -> CorpusDocs:
    """Process ``doc_ids`` of the corpus at ``corpus``; an unknown doc id is an error naming ``where[doc_id]``
    (the imported file that names it)."""
    from irbc.run.context import make_context
    from irbc.run.worker import read_and_process
    from irbc.stages.annotate import annotate_document
    from irbc.stages.read import load_corpus_config

    cfg = load_corpus_config(Path(corpus))
    sources = {s["doc_id"]: s for s in cfg.sources}
    unknown = [d for d in doc_ids if d not in sources]
    if unknown:
        raise InputError(
            where[unknown[0]], None, f"names document {unknown[0]!r}, which {cfg.root / 'sources.yaml'} lacks"
        )
    ctx = make_context(cfg, {}, "full")
    wanted = [a for a in ctx.annotators if a.key() in (f"concept_mentions/{LEXICON}", "stances/curated_v1")]
    out: dict[str, CorpusDoc] = {}
    for doc_id in doc_ids:
        src = sources[doc_id]
        res, _ = read_and_process(ctx, src, str(cfg.root / "raw" / src["source_file"]))
        rows = annotate_document(wanted, res).rows
        out[doc_id] = CorpusDoc(
            doc_id,
            res.document.text or "",
            units_of(res.paragraphs, res.notes, res.sentences),  # curated mentions name their sentence
            [m for m in rows["concept_mentions"] if m["annotator"] == LEXICON],
            evidence_of(rows.get("stances", [])),
            ctx.ann_dir / "mentions" / f"{doc_id}.yaml",
            ctx.ann_dir / "stances" / f"{doc_id}.yaml",
        )
    return CorpusDocs(cfg.root, wanted[0].env.codebook, out)
