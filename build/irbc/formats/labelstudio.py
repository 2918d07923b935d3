"""Label Studio: ``tasks.json`` (one task per document: ``data.text`` the clean text, with the mentions and stance
evidence as ``predictions``, pre-annotations a reviewer accepts or corrects) and ``labeling_config.xml`` (a
``Labels`` control ``concept`` with one label per concept id, a ``Labels`` control ``evidence`` with per-region
``stance``, ``target``, ``attribution`` choices and a ``holder`` text area). Offsets are character offsets into
``data.text``. The import reads every task file of the folder (``tasks.json``, or Label Studio's JSON export
saved in its place): a task's one annotation if it has one, else its predictions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from irbc.core.errors import InputError
from irbc.formats.brat import ATTRIBUTIONS, FACET_COLOURS, STANCES
from irbc.formats.model import ExportData, ExportDoc, ImportedDoc, ImportedEvidence, ImportedSpan
from irbc.formats.registry import format_exporter, format_importer

TASKS = "tasks.json"
CONFIG = "labeling_config.xml"
EVIDENCE_LABEL = "stance_evidence"


def _config(data: ExportData) -> str:
    def choices(name: str, values: list[str]) -> list[str]:
        return [f'    <Choices name="{name}" toName="text" perRegion="true" required="true">',
                *(f"      <Choice value={quoteattr(v)}/>" for v in values), "    </Choices>"]  # fmt: skip

    # pre-wrap: Label Studio keeps every space and line break of the text as it is (offsets count them all)
    out = [
        "<View>",
        "  <Style>.htx-text { white-space: pre-wrap; }</Style>",
        '  <Labels name="concept" toName="text">',
    ]
    for c in data.concepts:
        colour = FACET_COLOURS.get(c["facet"], "#cccccc")
        out.append(
            f'    <Label value={quoteattr(c["concept_id"])} background="{colour}" hint={quoteattr(c["label"])}/>'
        )
    out += ["  </Labels>", '  <Labels name="evidence" toName="text">',
            f'    <Label value="{EVIDENCE_LABEL}" background="#e0e0e0"/>', "  </Labels>",
            '  <Text name="text" value="$text"/>',
            f'  <View visibleWhen="region-selected" whenLabelValue="{EVIDENCE_LABEL}">']  # fmt: skip
    out += choices("stance", list(STANCES)) + choices("target", [t["target_id"] for t in data.targets])
    out += choices("attribution", list(ATTRIBUTIONS))
    out += ['    <TextArea name="holder" toName="text" perRegion="true" maxSubmissions="1" required="true"/>',
            "  </View>", "</View>"]  # fmt: skip
    return "\n".join(out) + "\n"


def _region(
    rid: str, name: str, kind: str, text: str, s: int, e: int, key: str, value: Any
) -> dict[str, Any]:
    """One result of a region; a per-region text area's ``value.text`` is its list of texts, not the span's."""
    covered = {} if key == "text" else {"text": text[s:e]}
    return {"id": rid, "from_name": name, "to_name": "text", "type": kind,
            "value": {"start": s, "end": e, **covered, key: value}}  # fmt: skip


def _task(doc: ExportDoc, annotator: str) -> dict[str, Any]:
    result = [
        _region(f"m{i}", "concept", "labels", doc.text, m["start"], m["end"], "labels", [m["concept_id"]])
        for i, m in enumerate(doc.mentions, 1)
    ]
    for i, ev in enumerate(doc.evidence, 1):
        rid, s, e, t = f"e{i}", ev.start, ev.end, doc.text
        result += [
            _region(rid, "evidence", "labels", t, s, e, "labels", [EVIDENCE_LABEL]),
            _region(rid, "stance", "choices", t, s, e, "choices", [ev.stance]),
            _region(rid, "target", "choices", t, s, e, "choices", [ev.target]),
            _region(rid, "attribution", "choices", t, s, e, "choices", [ev.attribution]),
            _region(rid, "holder", "textarea", t, s, e, "text", [ev.holder]),
        ]
    return {
        "data": {"text": doc.text, "doc_id": doc.doc_id, "title": doc.title},
        "predictions": [{"model_version": annotator, "result": result}],
    }


@format_exporter(
    "label-studio", "Label Studio tasks with pre-annotations (tasks.json) and labeling_config.xml"
)
def export_label_studio(data: ExportData, out: Path) -> None:
    tasks = [_task(d, data.annotator) for d in data.docs]
    (out / TASKS).write_text(json.dumps(tasks, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / CONFIG).write_text(_config(data), encoding="utf-8")


def _result(task: dict[str, Any], where: str) -> list[dict[str, Any]]:
    done = [a for a in task.get("annotations") or [] if not a.get("was_cancelled")]
    if len(done) > 1:
        raise InputError(where, None, f"has {len(done)} annotations; keep the one to import")
    if done:
        return list(done[0].get("result") or [])
    preds = task.get("predictions") or []
    return list(preds[-1].get("result") or []) if preds else []


def _doc(task: dict[str, Any], where: str) -> ImportedDoc:
    data = task.get("data") or {}
    if not isinstance(data.get("text"), str) or not isinstance(data.get("doc_id"), str):
        raise InputError(where, None, "task has no data.text and data.doc_id")
    doc = ImportedDoc(data["doc_id"], data["text"], where)
    regions: dict[str, dict[str, Any]] = {}
    for r in _result(task, where):
        v, rid = r.get("value") or {}, str(r.get("id"))
        at = f"{where} result {rid}"
        if not isinstance(v.get("start"), int) or not isinstance(v.get("end"), int):
            raise InputError(at, None, "result has no character offsets (value.start, value.end)")
        reg = regions.setdefault(rid, {"start": v["start"], "end": v["end"], "text": v.get("text"), "at": at})
        name = r.get("from_name")
        if name == "concept":
            for label in v.get("labels") or []:
                doc.mentions.append(ImportedSpan(v["start"], v["end"], label, v.get("text"), at))
        elif name in ("stance", "target", "attribution"):
            reg[name] = (v.get("choices") or [None])[0]
        elif name == "holder":
            reg[name] = (v.get("text") or [None])[0]
        elif name == "evidence":
            reg["evidence"] = True
    for reg in regions.values():
        if not reg.get("evidence"):
            continue
        missing = [k for k in ("stance", "target", "attribution", "holder") if not reg.get(k)]
        if missing:
            raise InputError(reg["at"], None, f"stance evidence has no {', '.join(missing)}")
        doc.evidence.append(ImportedEvidence(reg["start"], reg["end"], reg["target"], reg["holder"],
                                             reg["attribution"], reg["stance"], reg["at"]))  # fmt: skip
    return doc


@format_importer("label-studio")
def import_label_studio(folder: Path) -> list[ImportedDoc]:
    files = sorted(p for p in Path(folder).glob("*.json") if p.name != "irbc-export.json")
    if not files:
        raise InputError(str(folder), None, "no task JSON files: not a Label Studio export folder")
    docs = []
    for p in files:
        try:
            tasks = json.loads(p.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise InputError(str(p), None, f"not JSON: {exc}") from None
        if not isinstance(tasks, list):
            raise InputError(str(p), None, "not a list of Label Studio tasks")
        docs += [_doc(t, f"{p}: task {i}") for i, t in enumerate(tasks)]
    return docs
