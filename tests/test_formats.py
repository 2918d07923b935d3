"""Annotation formats (issue 15): every export is read back by the library that owns its format (dkpro-cassis,
spaCy, a JSON-LD processor and rdflib, Label Studio's documented task format) and every span equals the clean
text at its offsets; ``irbc import`` of an unedited export changes no byte of the corpus, refuses spans that no
longer match the text, and a scripted edit in brat and in XMI shows up exactly in the next build."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import CORPUS, run_cli, table

FORMATS = ("brat", "webanno", "xmi", "spacy", "label-studio")
CURATED = "curated_v1"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def one_line_error(proc: Any, *needles: str) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    for n in needles:
        assert n in lines[0], (n, lines[0])
    return str(lines[0])


@pytest.fixture(scope="module")
def exports(release: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("exports")
    for fmt in FORMATS:
        run_cli("export", str(release), "--format", fmt, "--out", str(root / fmt), check=True)
    return {fmt: root / fmt for fmt in FORMATS}


@pytest.fixture(scope="module")
def texts(release: Path) -> dict[str, str]:
    return {d["doc_id"]: d["text"] for d in table(release, "documents")}


@pytest.fixture(scope="module")
def curated(release: Path) -> dict[str, set[tuple[int, int, str]]]:
    out: dict[str, set[tuple[int, int, str]]] = {}
    for m in table(release, "concept_mentions"):
        if m["annotator"] == CURATED:
            out.setdefault(m["doc_id"], set()).add((m["start"], m["end"], m["concept_id"]))
    return out


@pytest.fixture(scope="module")
def evidence(release: Path) -> dict[str, Counter[tuple[int, int, str]]]:
    out: dict[str, Counter[tuple[int, int, str]]] = {}
    for st in table(release, "stances"):
        for ev in st["evidence"]:
            out.setdefault(st["doc_id"], Counter())[(ev["start"], ev["end"], st["stance"])] += 1
    return out


def brat_entities(ann: Path) -> list[tuple[str, int, int, str]]:
    """The T lines of a brat .ann file, parsed as brat's standoff format defines them."""
    out = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            tid, middle, covered = line.split("\t")
            etype, s, e = middle.split(" ")
            out.append((etype, int(s), int(e), covered))
    return out


# ------------------------------------------------------------------------------------------------ exports
def test_brat_texts_are_exact_and_every_span_matches(exports, texts, curated, evidence, release) -> None:
    folder = exports["brat"]
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    declared = {line.strip().lstrip("!") for line in conf.split("[relations]")[0].splitlines()[2:]}
    concepts = {c["concept_id"] for c in table(release, "concepts")}
    assert concepts | {"Stance_evidence"} <= declared
    for doc_id, text in texts.items():
        assert (folder / f"{doc_id}.txt").read_bytes() == text.encode("utf-8")
        ents = brat_entities(folder / f"{doc_id}.ann")
        for etype, s, e, covered in ents:
            assert covered == text[s:e] and etype in declared
        assert {(s, e, t) for t, s, e, _ in ents if t != "Stance_evidence"} == curated.get(doc_id, set())
        assert sum(1 for t, *_ in ents if t == "Stance_evidence") == sum(evidence.get(doc_id, Counter()).values())
    visual = (folder / "visual.conf").read_text(encoding="utf-8")
    assert all(re.search(rf"^{c} \| ", visual, re.M) for c in concepts)


def test_xmi_is_read_back_by_dkpro_cassis(exports, texts, curated, evidence) -> None:
    from cassis import load_cas_from_xmi, load_typesystem

    folder = exports["xmi"]
    with (folder / "TypeSystem.xml").open("rb") as f:
        ts = load_typesystem(f)
    for doc_id, text in texts.items():
        with (folder / f"{doc_id}.xmi").open("rb") as f:
            cas = load_cas_from_xmi(f, typesystem=ts)
        assert cas.sofa_string == text
        concepts = list(cas.select("webanno.custom.Concept"))
        assert all(a.get_covered_text() == text[a.begin : a.end] for a in concepts)
        assert {(a.begin, a.end, a.concept) for a in concepts} == curated.get(doc_id, set())
        ev = Counter((a.begin, a.end, a.stance) for a in cas.select("webanno.custom.StanceEvidence"))
        assert ev == evidence.get(doc_id, Counter())
        paras = list(cas.select("de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Paragraph"))
        assert paras and all(a.get_covered_text().strip() for a in paras)


def test_spacy_docbin_is_read_back_by_spacy(exports, texts, curated, evidence) -> None:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    db = DocBin(store_user_data=True).from_bytes((exports["spacy"] / "corpus.spacy").read_bytes())
    docs = {d.user_data["doc_id"]: d for d in db.get_docs(nlp.vocab)}
    assert set(docs) == set(texts)
    for doc_id, d in docs.items():
        text = texts[doc_id]
        assert d.text == text
        spans = d.spans["concepts"]
        assert all(sp.text == text[sp.start_char : sp.end_char] for sp in spans)
        assert {(sp.start_char, sp.end_char, sp.label_) for sp in spans} == curated.get(doc_id, set())
        ev = Counter((sp.start_char, sp.end_char, sp.label_) for sp in d.spans["stance_evidence"])
        assert ev == evidence.get(doc_id, Counter())


# The JSON-LD context of the Web Annotation model (http://www.w3.org/ns/anno.jsonld) maps these terms to the
# vocabulary of the W3C Web Annotation Vocabulary (oa:, Activity Streams, Dublin Core, FOAF). The processor
# cannot fetch it (no network in tests), so its definitions of the terms the export uses are written out here,
# term by term from the vocabulary; a term the export used outside them would be dropped by expansion.
OA, AS, DC = "http://www.w3.org/ns/oa#", "https://www.w3.org/ns/activitystreams#", "http://purl.org/dc/terms/"
ANNO_CONTEXT = {
    "@context": {
        "oa": OA, "as": AS, "dcterms": DC, "foaf": "http://xmlns.com/foaf/0.1/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "id": "@id", "type": "@type",
        "Annotation": "oa:Annotation", "TextPositionSelector": "oa:TextPositionSelector",
        "TextQuoteSelector": "oa:TextQuoteSelector", "TextualBody": "oa:TextualBody",
        "SpecificResource": "oa:SpecificResource", "Software": "as:Application",
        "AnnotationCollection": "as:OrderedCollection", "AnnotationPage": "as:OrderedCollectionPage",
        "classifying": "oa:classifying", "assessing": "oa:assessing", "tagging": "oa:tagging",
        "linking": "oa:linking", "describing": "oa:describing",
        "body": {"@type": "@id", "@id": "oa:hasBody"}, "target": {"@type": "@id", "@id": "oa:hasTarget"},
        "source": {"@type": "@id", "@id": "oa:hasSource"}, "selector": {"@type": "@id", "@id": "oa:hasSelector"},
        "motivation": {"@type": "@vocab", "@id": "oa:motivatedBy"},
        "purpose": {"@type": "@vocab", "@id": "oa:hasPurpose"},
        "creator": {"@type": "@id", "@id": "dcterms:creator"}, "name": "foaf:name", "value": "rdf:value",
        "exact": "oa:exact", "prefix": "oa:prefix", "suffix": "oa:suffix",
        "start": {"@id": "oa:start", "@type": "xsd:nonNegativeInteger"},
        "end": {"@id": "oa:end", "@type": "xsd:nonNegativeInteger"},
        "label": "rdfs:label", "total": {"@id": "as:totalItems", "@type": "xsd:nonNegativeInteger"},
        "first": {"@type": "@id", "@id": "as:first"}, "partOf": {"@type": "@id", "@id": "as:partOf"},
        "items": {"@id": "as:items", "@type": "@id", "@container": "@list"},
        "startIndex": {"@id": "as:startIndex", "@type": "xsd:nonNegativeInteger"},
    }
}  # fmt: skip


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # rdflib 7 deprecating its own ConjunctiveGraph
def test_web_annotation_is_processed_as_json_ld(exports, texts, curated, evidence) -> None:
    from pyld import jsonld
    from rdflib import Graph, Namespace, URIRef
    from rdflib.namespace import RDF, SKOS

    def loader(url: str, options: dict | None = None) -> dict:
        assert url == "http://www.w3.org/ns/anno.jsonld", url
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": ANNO_CONTEXT}  # fmt: skip

    oa = Namespace(OA)
    scheme = Graph().parse(exports["webanno"] / "codebook.ttl", format="turtle")
    concepts = set(scheme.subjects(RDF.type, SKOS.Concept))
    for doc_id, text in texts.items():
        raw = json.loads((exports["webanno"] / "annotations" / f"{doc_id}.jsonld").read_text(encoding="utf-8"))
        expanded = jsonld.expand(raw, {"documentLoader": loader})
        g = Graph().parse(data=json.dumps(expanded), format="json-ld")
        raw_items = raw["first"]["items"]
        annos = set(g.subjects(RDF.type, oa.Annotation))
        assert len(annos) == len(raw_items)  # nothing was dropped or merged by the processor
        mentions, ev = set(), Counter()
        for a in annos:
            tgt = g.value(a, oa.hasTarget)
            sel = {g.value(s, RDF.type): s for s in g.objects(tgt, oa.hasSelector)}
            pos, quote = sel[oa.TextPositionSelector], sel[oa.TextQuoteSelector]
            s, e = int(g.value(pos, oa.start)), int(g.value(pos, oa.end))
            assert str(g.value(quote, oa.exact)) == text[s:e]
            pre, suf = str(g.value(quote, oa.prefix)), str(g.value(quote, oa.suffix))
            assert text[s - len(pre) : s] == pre and text[e : e + len(suf)] == suf
            assert g.value(tgt, oa.hasSource) == URIRef(f"urn:irbc:document:{doc_id}")
            if g.value(a, oa.motivatedBy) == oa.classifying:
                body = g.value(a, oa.hasBody)
                assert body in concepts
                mentions.add((s, e, str(scheme.value(body, SKOS.notation))))
            else:
                tag = next(b for b in g.objects(a, oa.hasBody) if g.value(b, oa.hasPurpose) == oa.tagging)
                ev[(s, e, str(g.value(tag, RDF.value)))] += 1
        assert mentions == curated.get(doc_id, set())
        assert ev == evidence.get(doc_id, Counter())


# Label Studio's task format for pre-annotated text (its documentation: "Import pre-annotated data"): a list of
# tasks, each with `data` and `predictions`, a prediction a `result` list of regions naming the control
# (`from_name`), the object tag (`to_name`), the control type and a value with character offsets.
LS_TASKS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["data", "predictions"],
        "properties": {
            "data": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
            "predictions": {"type": "array", "items": {
                "type": "object", "required": ["result"],
                "properties": {"model_version": {"type": "string"}, "result": {"type": "array", "items": {
                    "type": "object", "required": ["id", "from_name", "to_name", "type", "value"],
                    "properties": {
                        "type": {"enum": ["labels", "choices", "textarea"]},
                        "value": {"type": "object", "required": ["start", "end"], "properties": {
                            "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer"},
                            "text": {}, "labels": {"type": "array", "items": {"type": "string"}},
                            "choices": {"type": "array", "items": {"type": "string"}}}}}}}}}},
        },
    },
}  # fmt: skip
LS_CONTROL_TYPES = {"Labels": "labels", "Choices": "choices", "TextArea": "textarea"}


def test_label_studio_tasks_follow_the_task_format_and_the_config(exports, texts, curated) -> None:
    import jsonschema

    folder = exports["label-studio"]
    tasks = json.loads((folder / "tasks.json").read_text(encoding="utf-8"))
    jsonschema.validate(tasks, LS_TASKS_SCHEMA)
    root = ET.fromstring((folder / "labeling_config.xml").read_text(encoding="utf-8"))
    controls = {el.get("name"): el for el in root.iter() if el.tag in LS_CONTROL_TYPES}
    objects = {el.get("name"): el for el in root.iter("Text")}
    assert objects["text"].get("value") == "$text"
    for task in tasks:
        text = task["data"]["text"]
        assert text == texts[task["data"]["doc_id"]]
        got = set()
        for r in task["predictions"][0]["result"]:
            ctl = controls[r["from_name"]]
            assert LS_CONTROL_TYPES[ctl.tag] == r["type"] and r["to_name"] in objects
            assert ctl.get("toName") == r["to_name"]
            v = r["value"]
            if r["type"] == "textarea":  # a per-region text area: value.text is the list of its texts
                assert isinstance(v["text"], list) and all(isinstance(t, str) for t in v["text"])
            else:
                assert v["text"] == text[v["start"] : v["end"]]
            allowed = {c.get("value") for c in ctl}
            for value in v.get("labels", []) + v.get("choices", []):
                assert value in allowed, (r["from_name"], value)
            if r["from_name"] == "concept":
                got.add((v["start"], v["end"], v["labels"][0]))
        assert got == curated.get(task["data"]["doc_id"], set())


def test_exports_are_deterministic(release: Path, exports: dict[str, Path], tmp_path: Path) -> None:
    for fmt in ("brat", "xmi", "webanno"):
        run_cli("export", str(release), "--format", fmt, "--out", str(tmp_path / fmt), check=True)
        assert snapshot(tmp_path / fmt) == snapshot(exports[fmt]), fmt
