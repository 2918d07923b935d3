"""``curated_v1_second_pass`` stances: the blind second annotation of the author stance of every document x
target pair (``corpus/annotations/agreement/stances_second_pass.yaml``), released as rows of ``stances`` so the
agreement with ``curated_v1`` can be recomputed from the release alone (``annotators/agreement.py``). The pass
recorded labels only: its rows carry no evidence and a null rationale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbc.annotators.registry import Annotation, Annotator, AnnotatorEnv, DocInput, register
from irbc.core.errors import InputError
from irbc.core.io import load_config_file, sha256_file
from irbc.core.yamlio import LINE_KEY

SECOND_PASS = "curated_v1_second_pass"
# the blind second pass of the author stances, relative to the corpus folder
AGREEMENT_FILE = "annotations/agreement/stances_second_pass.yaml"


def load_second_pass(file: Path, targets: list[str]) -> dict[tuple[str, str], str]:
    """(doc_id, target_id) -> stance, checked: the annotator's name, known targets, one item per pair."""
    data = load_config_file(file, "stance_agreement", keep_lines=True)
    path = str(file)
    if data["annotator"] != SECOND_PASS:
        raise InputError(path, "/annotator", f"is {data['annotator']!r}, expected {SECOND_PASS!r}")
    out: dict[tuple[str, str], str] = {}
    for it in data["items"]:
        line = it.get(LINE_KEY)
        if it["target"] not in targets:
            raise InputError(path, f"line {line}", f"unknown stance target {it['target']!r}")
        key = (it["doc_id"], it["target"])
        if key in out:
            raise InputError(path, f"line {line}", f"second item for {key}")
        out[key] = it["stance"]
    return out


def second_pass_row(doc_id: str, target: str, stance: str) -> dict[str, Any]:
    return {
        "stance_id": f"{doc_id}:{target}:author:{SECOND_PASS}",
        "doc_id": doc_id,
        "target_id": target,
        "holder": "author",
        "attribution": "asserted",
        "stance": stance,
        "evidence": [],
        "rationale": None,
        "holder_note_ids": [],
        "annotator": SECOND_PASS,
    }


@register
class SecondPassStances(Annotator):
    """The second pass's author stances of one document, in target order."""

    name = SECOND_PASS
    table = "stances"
    needs = ("stances/curated_v1",)  # runs after the curated stances: its rows follow theirs
    description = (
        "a blind second annotation of the author stance of every document x target pair, labels only (no "
        "evidence or rationale), for inter-annotator agreement with curated_v1"
    )

    def __init__(self, env: AnnotatorEnv) -> None:
        super().__init__(env)
        path = env.ann_dir.parent / AGREEMENT_FILE  # ann_dir is <corpus>/annotations
        self.items = load_second_pass(path, env.target_ids) if path.is_file() else {}
        self.sha = sha256_file(path) if path.is_file() else None

    def annotate(self, doc: DocInput, earlier: dict[str, list[dict[str, Any]]]) -> Annotation | None:
        rows = [second_pass_row(doc.doc_id, t, self.items[(doc.doc_id, t)]) for t in self.env.target_ids
                if (doc.doc_id, t) in self.items]  # fmt: skip
        if not rows or self.sha is None:
            return None
        return Annotation(rows, {f"corpus/{AGREEMENT_FILE}": self.sha})
