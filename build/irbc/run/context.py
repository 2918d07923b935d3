"""The build context: everything the per-document stage needs, loaded once and shipped to every worker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import irbc.annotators  # noqa: F401  (registers every annotator)
from irbc.annotators.codebook import concept_rows, load_codebook
from irbc.annotators.registry import Annotator, AnnotatorEnv, build_annotators
from irbc.annotators.stances import load_targets
from irbc.core.io import sha256_file
from irbc.core.schema import schema_dir
from irbc.release.rights import withheld_docs
from irbc.stages import sentences
from irbc.stages.read import CorpusConfig


@dataclass
class BuildContext:
    cfg: CorpusConfig
    annotators: list[Annotator]
    targets: list[dict[str, Any]]
    concepts: list[dict[str, Any]]
    ann_dir: Path
    withhold: set[str] | None  # stand-off release: documents whose text is withheld


def make_context(cfg: CorpusConfig, inputs: dict[str, str], text_policy: str) -> BuildContext:
    """Load the codebook and the stance targets once (their errors stop the build before any document), and
    build the registered annotators. The SHA-256 of every file read goes into ``inputs``."""
    cb_path = schema_dir() / "codebook.yaml"
    codebook = load_codebook(cb_path)
    inputs["schema/codebook.yaml"] = sha256_file(cb_path)
    ann_dir = cfg.root / "annotations"
    targets_path = ann_dir / "stance_targets.yaml"
    targets = load_targets(targets_path) if targets_path.is_file() else []
    if targets:
        inputs["corpus/annotations/stance_targets.yaml"] = sha256_file(targets_path)
    env = AnnotatorEnv(codebook, str(cb_path), [t["target_id"] for t in targets], ann_dir)
    withhold = withheld_docs(cfg.sources) if text_policy == "standoff" else None
    sentences.warm([cfg.profile(site) for site in sorted({s["site"] for s in cfg.sources})])
    return BuildContext(
        cfg, build_annotators(env), [dict(t) for t in targets], concept_rows(codebook), ann_dir, withhold
    )
