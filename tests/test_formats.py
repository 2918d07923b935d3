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

from conftest import run_cli, table

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
            _tid, middle, covered = line.split("\t")
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
        assert sum(1 for t, *_ in ents if t == "Stance_evidence") == sum(
            evidence.get(doc_id, Counter()).values()
        )
    visual = (folder / "visual.conf").read_text(encoding="utf-8")
    assert all(re.search(rf"^{c} \| ", visual, re.M) for c in concepts)


def test_xmi_is_read_back_by_dkpro_cassis(release, exports, texts, curated, evidence) -> None:
    from cassis import load_cas_from_xmi, load_typesystem

    sentence_rows = table(release, "sentences")
    assert sentence_rows
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
        sents = [
            (a.begin, a.end)
            for a in cas.select("de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence")
        ]
        assert sents == sorted((x["start"], x["end"]) for x in sentence_rows if x["doc_id"] == doc_id)


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
        raw = json.loads(
            (exports["webanno"] / "annotations" / f"{doc_id}.jsonld").read_text(encoding="utf-8")
        )
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


# ------------------------------------------------------------------------------------------------ safety
def test_export_refuses_a_stand_off_release(release_copy: Path, tmp_path: Path) -> None:
    path = release_copy / "data" / "documents" / "train-00000-of-00001.parquet"
    docs = pq.read_table(path)
    i = docs.schema.get_field_index("text")
    pq.write_table(docs.set_column(i, docs.schema.field(i), pa.nulls(len(docs), pa.string())), path)
    proc = run_cli("export", str(release_copy), "--format", "brat", "--out", str(tmp_path / "out"))
    one_line_error(proc, "stand-off release", "irbc rehydrate")
    assert not (tmp_path / "out").exists()


def test_export_out_is_safe(release: Path, exports: dict[str, Path], tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    proc = run_cli("export", str(release), "--format", "brat", "--out", str(mine))
    one_line_error(proc, "not an irbc export", "nothing was touched")
    assert snapshot(mine) == {"notes.txt": b"keep me"}
    proc = run_cli("export", str(release), "--format", "brat", "--out", str(release / "data"))
    one_line_error(proc, "the input release")
    again = tmp_path / "again"
    shutil.copytree(exports["brat"], again)
    run_cli("export", str(release), "--format", "xmi", "--out", str(again), check=True)  # an unchanged export
    assert (again / "TypeSystem.xml").is_file() and not list(again.glob("*.ann"))
    shutil.copytree(exports["brat"], tmp_path / "edited")
    ann = tmp_path / "edited" / "ross_2020_sino_russian_relations.ann"
    ann.write_text(
        ann.read_text(encoding="utf-8").replace("balance_of_power", "alliance", 1), encoding="utf-8"
    )
    before = snapshot(tmp_path / "edited")
    proc = run_cli("export", str(release), "--format", "brat", "--out", str(tmp_path / "edited"))
    one_line_error(proc, "ross_2020_sino_russian_relations.ann was changed", "irbc import")
    assert snapshot(tmp_path / "edited") == before
    (tmp_path / "edited" / "extra.txt").write_text("mine")
    ann.write_bytes((exports["brat"] / ann.name).read_bytes())
    proc = run_cli("export", str(release), "--format", "brat", "--out", str(tmp_path / "edited"))
    one_line_error(proc, "extra.txt, which is not part of the export")


def test_export_refuses_an_unknown_layer(release: Path, tmp_path: Path) -> None:
    proc = run_cli(
        "export", str(release), "--format", "brat", "--out", str(tmp_path / "o"), "--annotator", "x_v9"
    )
    one_line_error(proc, "no 'x_v9' mentions", "curated_v1", "lexicon_v1")


# ------------------------------------------------------------------------------------------------ imports
@pytest.mark.parametrize("fmt", ["brat", "xmi", "label-studio"])
def test_import_of_an_unedited_export_changes_no_byte(fmt: str, exports, corpus_copy: Path) -> None:
    before = snapshot(corpus_copy)
    proc = run_cli("import", str(exports[fmt]), "--format", fmt, "--corpus", str(corpus_copy), check=True)
    assert snapshot(corpus_copy) == before
    assert proc.stderr.count("no changes") == 5 and "0 review file(s) changed" in proc.stderr


def _edited(exports: dict[str, Path], tmp_path: Path, fmt: str) -> Path:
    dst = tmp_path / f"edited-{fmt}"
    shutil.copytree(exports[fmt], dst)
    return dst


def test_import_refuses_spans_that_no_longer_match(exports, corpus_copy: Path, tmp_path: Path) -> None:
    before = snapshot(corpus_copy)
    brat = _edited(exports, tmp_path, "brat")
    ann = brat / "reese_balanced_realism.ann"
    lines = ann.read_text(encoding="utf-8").splitlines()
    _, middle, covered = lines[2].split("\t")
    etype, s, e = middle.split()
    lines[2] = f"T3\t{etype} {int(s) + 1} {int(e) + 1}\t{covered}"
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_cli("import", str(brat), "--format", "brat", "--corpus", str(corpus_copy))
    one_line_error(proc, f"{ann}:line 3", f"span {int(s) + 1}-{int(e) + 1} says {covered!r}")
    txt = brat / "ross_2020_sino_russian_relations.txt"
    txt.write_text(txt.read_text(encoding="utf-8").replace("Russian", "Russia’s", 1), encoding="utf-8")
    proc = run_cli("import", str(brat), "--format", "brat", "--corpus", str(corpus_copy))
    assert proc.returncode == 1 and "2 problems in the input files" in proc.stderr  # reported together
    assert f"{txt}:line 1: the text differs from the corpus's clean text" in proc.stderr
    assert f"{ann}:line 3" in proc.stderr
    assert snapshot(corpus_copy) == before


def test_import_refuses_stance_edits_and_takes_note_edits(
    exports, corpus_copy: Path, tmp_path: Path, texts, release
) -> None:
    before = snapshot(corpus_copy)
    brat = _edited(exports, tmp_path, "brat")
    ann = brat / "ross_2020_sino_russian_relations.ann"
    first = re.search(r"Stance (T\d+) against", ann.read_text(encoding="utf-8"))
    assert first, "the export has Ross's author evidence against russia_balances_china"
    edited = ann.read_text(encoding="utf-8").replace(first[0], f"Stance {first[1]} favor", 1)
    ann.write_text(edited, encoding="utf-8")
    proc = run_cli("import", str(brat), "--format", "brat", "--corpus", str(corpus_copy))
    one_line_error(
        proc, "stance evidence was changed", "not supported", "stances/ross_2020_sino_russian_relations.yaml"
    )
    assert snapshot(corpus_copy) == before
    # notes are reviewed (issue 17): a mention added in a note becomes an addition of the review file
    ann.write_bytes((exports["brat"] / ann.name).read_bytes())
    notes = [n for n in table(release, "notes") if n["doc_id"] == "ross_2020_sino_russian_relations"]
    s = notes[0]["start"]
    assert texts["ross_2020_sino_russian_relations"][s : s + 3] == "See"
    with ann.open("a", encoding="utf-8") as f:
        f.write(f"T900\tbalancing {s} {s + 3}\tSee\n")
    proc = run_cli("import", str(brat), "--format", "brat", "--corpus", str(corpus_copy), check=True)
    review = corpus_copy / "annotations" / "mentions" / "ross_2020_sino_russian_relations.yaml"
    assert "surface: See" in review.read_text(encoding="utf-8") and "1 add" in proc.stderr


def _fresh_word(
    text: str, word: str, taken: set[tuple[int, int, str]], paras: list[tuple[int, int]]
) -> tuple[int, int]:
    """The first whole-word ``word`` inside a main-text paragraph that no mention touches."""
    for m in re.finditer(rf"\b{word}\b", text):
        s, e = m.span()
        if any(a <= s and e <= b for a, b in paras) and not any(s < me and ms < e for ms, me, _ in taken):
            return s, e
    raise AssertionError(f"no free {word!r}")


def test_scripted_edits_in_brat_and_xmi_show_up_exactly_in_the_next_build(
    release: Path, exports, corpus_copy: Path, tmp_path: Path, texts, curated
) -> None:
    from cassis import load_cas_from_xmi, load_typesystem

    lexicon = {(m["doc_id"], m["start"], m["end"], m["concept_id"]) for m in table(release, "concept_mentions")
               if m["annotator"] == "lexicon_v1"}  # fmt: skip
    paras: dict[str, list[tuple[int, int]]] = {}
    for p in table(release, "paragraphs"):
        paras.setdefault(p["doc_id"], []).append((p["start"], p["end"]))
    expected = {d: set(v) for d, v in curated.items()}

    # brat, ross: delete an accepted lexicon mention, relabel another, add a mention the tagger missed
    a = "ross_2020_sino_russian_relations"
    accepted = sorted(m for m in curated[a] if (a, *m) in lexicon)
    gone, relabel = accepted[0], accepted[1]
    new_a = (*_fresh_word(texts[a], "security", curated[a], paras[a]), "security_dilemma")
    brat = _edited(exports, tmp_path, "brat")
    ann = brat / f"{a}.ann"
    lines = ann.read_text(encoding="utf-8").splitlines()
    lines.remove(f"T{lines_index(lines, gone)}\t{gone[2]} {gone[0]} {gone[1]}\t{texts[a][gone[0] : gone[1]]}")
    lines = [ln.replace(f"\t{relabel[2]} {relabel[0]} {relabel[1]}\t", f"\talliance {relabel[0]} {relabel[1]}\t")
             for ln in lines]  # fmt: skip
    lines.append(f"T999\t{new_a[2]} {new_a[0]} {new_a[1]}\t{texts[a][new_a[0] : new_a[1]]}")
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected[a] -= {gone, relabel}
    expected[a] |= {(relabel[0], relabel[1], "alliance"), new_a}

    # XMI, gervais: delete an accepted lexicon mention, relabel a curator's addition, add a new mention
    b = "gervais_china_russia_alignment"
    gone_b = sorted(m for m in curated[b] if (b, *m) in lexicon)[0]
    addition = sorted(
        m for m in curated[b] if not any((b, m[0], m[1], c) in lexicon for c in {x[3] for x in lexicon})
    )[0]
    new_b = (*_fresh_word(texts[b], "interests", curated[b], paras[b]), "economic_interdependence")
    xmi = _edited(exports, tmp_path, "xmi")
    with (xmi / "TypeSystem.xml").open("rb") as f:
        ts = load_typesystem(f)
    with (xmi / f"{b}.xmi").open("rb") as f:
        cas = load_cas_from_xmi(f, typesystem=ts)
    for ann_ in list(cas.select("webanno.custom.Concept")):
        if (ann_.begin, ann_.end, ann_.concept) == gone_b:
            cas.remove(ann_)
        elif (ann_.begin, ann_.end, ann_.concept) == addition:
            ann_.concept = "balancing"
    cas.add(ts.get_type("webanno.custom.Concept")(begin=new_b[0], end=new_b[1], concept=new_b[2]))
    cas.to_xmi(xmi / f"{b}.xmi", pretty_print=True)
    expected[b] -= {gone_b, addition}
    expected[b] |= {(addition[0], addition[1], "balancing"), new_b}

    before = snapshot(corpus_copy)
    proc = run_cli("import", str(brat), "--format", "brat", "--corpus", str(corpus_copy), check=True)
    assert f"{a}: 1 add, 1 reject, 1 relabel" in proc.stderr and "1 review file(s) changed" in proc.stderr
    # the XMI export still holds ross as it was: importing it whole would undo the brat corrections
    proc = run_cli("import", str(xmi), "--format", "xmi", "--corpus", str(corpus_copy))
    one_line_error(proc, f"mentions/{a}.yaml: changed since the release this export was made from was built")
    for other in xmi.glob("*.xmi"):
        if other.stem != b:
            other.unlink()
    proc = run_cli("import", str(xmi), "--format", "xmi", "--corpus", str(corpus_copy), check=True)
    assert f"{b}: 1 add, 1 reject, 1 relabel" in proc.stderr and "1 review file(s) changed" in proc.stderr
    after = snapshot(corpus_copy)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {f"annotations/mentions/{a}.yaml", f"annotations/mentions/{b}.yaml"}
    for k in changed:  # minimal edits: a few lines, every other line as the curator wrote it
        old, new = before[k].decode().splitlines(), after[k].decode().splitlines()
        assert len(set(new) - set(old)) <= 6 and len(set(old) - set(new)) <= 3, k

    out = tmp_path / "rebuilt"
    run_cli("build", "--corpus", str(corpus_copy), "--out", str(out), "--quiet", check=True)
    got: dict[str, set[tuple[int, int, str]]] = {}
    for m in table(out, "concept_mentions"):
        if m["annotator"] == CURATED:
            got.setdefault(m["doc_id"], set()).add((m["start"], m["end"], m["concept_id"]))
    assert got == expected
    old_lex = [m for m in table(release, "concept_mentions") if m["annotator"] == "lexicon_v1"]
    assert [m for m in table(out, "concept_mentions") if m["annotator"] == "lexicon_v1"] == old_lex


def lines_index(lines: list[str], span: tuple[int, int, str]) -> str:
    s, e, c = span
    return next(ln.split("\t")[0][1:] for ln in lines if ln.split("\t")[1:2] == [f"{c} {s} {e}"])


def test_label_studio_annotations_are_imported_and_a_missing_review_file_is_created(
    exports, corpus_copy: Path, tmp_path: Path, texts, curated, release
) -> None:
    """A reviewer's annotation (not the predictions) is what is imported; a mention added to a document whose
    review has no additions yet turns `additions: []` into a list; a document without a review file gets one
    (from the review template), and importing the same folder again changes nothing."""
    ls = _edited(exports, tmp_path, "label-studio")
    tasks = json.loads((ls / "tasks.json").read_text(encoding="utf-8"))
    c = "cox_2021_comrades_putin_xi"
    paras = [(p["start"], p["end"]) for p in table(release, "paragraphs") if p["doc_id"] == c]
    s, e = _fresh_word(texts[c], "partnership", curated[c], paras)
    for t in tasks:
        result = t["predictions"][0]["result"]
        if t["data"]["doc_id"] == c:
            result.append({"id": "new1", "from_name": "concept", "to_name": "text", "type": "labels",
                           "value": {"start": s, "end": e, "text": texts[c][s:e], "labels": ["strategic_partnership"]}})  # fmt: skip
        t["annotations"] = [{"id": 1, "result": result, "was_cancelled": False}]
        t["predictions"][0]["result"] = []  # the annotation, not the prediction, is read
    (ls / "tasks.json").write_text(json.dumps(tasks), encoding="utf-8")
    (ls / "irbc-export.json").unlink()  # as Label Studio's own export would be: no record of the review files
    r = "ross_2020_sino_russian_relations"
    (corpus_copy / "annotations" / "mentions" / f"{r}.yaml").unlink()
    before = snapshot(corpus_copy)
    proc = run_cli("import", str(ls), "--format", "label-studio", "--corpus", str(corpus_copy), check=True)
    assert f"{c}: 1 add ->" in proc.stderr and f"{r}:" in proc.stderr and "new review file" in proc.stderr
    after = snapshot(corpus_copy)
    assert {k for k in after if after[k] != before.get(k)} == {
        f"annotations/mentions/{c}.yaml",
        f"annotations/mentions/{r}.yaml",
    }
    old, new = (
        before[f"annotations/mentions/{c}.yaml"].decode(),
        after[f"annotations/mentions/{c}.yaml"].decode(),
    )
    assert old.endswith("additions: []\n")
    assert (
        new
        == old[: -len("additions: []\n")]
        + (f"additions:\n- concept: strategic_partnership\n  surface: {texts[c][s:e]}\n  context: ")
        + new.split("  context: ")[-1]
    )
    again = run_cli("import", str(ls), "--format", "label-studio", "--corpus", str(corpus_copy), check=True)
    assert again.stderr.count("no changes") == 5 and snapshot(corpus_copy) == after


def test_a_tagger_export_starts_a_review_but_never_replaces_one(
    release: Path, corpus_copy: Path, tmp_path: Path
) -> None:
    """An export of lexicon_v1 over reviewed documents is refused (it would undo their review); for a document
    without a review file it starts one: the new file is the review template, every tagger mention (in the
    paragraphs and, since notes are reviewed, in the notes) accepted."""
    out = tmp_path / "lex"
    run_cli(
        "export", str(release), "--format", "brat", "--out", str(out), "--annotator", "lexicon_v1", check=True
    )
    before = snapshot(corpus_copy)
    proc = run_cli("import", str(out), "--format", "brat", "--corpus", str(corpus_copy))
    assert proc.returncode == 1 and "5 problems in the input files" in proc.stderr
    assert proc.stderr.count("is an export of lexicon_v1") == 5 and snapshot(corpus_copy) == before
    r = "ross_2020_sino_russian_relations"
    for p in out.glob("*.*"):
        if p.suffix in (".ann", ".txt") and p.stem != r:
            p.unlink()
    marker = json.loads((out / "irbc-export.json").read_text(encoding="utf-8"))
    marker["review_files"][r] = None  # as if the release had been built before the review existed
    (out / "irbc-export.json").write_text(json.dumps(marker), encoding="utf-8")
    review = corpus_copy / "annotations" / "mentions" / f"{r}.yaml"
    review.unlink()
    in_notes = {(m["start"], m["end"]) for m in table(release, "concept_mentions")
                if m["doc_id"] == r and m["annotator"] == "lexicon_v1" and m["note_id"] is not None}  # fmt: skip
    assert in_notes and in_notes <= {(s, e) for _, s, e, _ in brat_entities(out / f"{r}.ann")}
    proc = run_cli("import", str(out), "--format", "brat", "--corpus", str(corpus_copy), check=True)
    assert f"{r}: 1 new review file" in proc.stderr
    template = run_cli("review-template", r, "--corpus", str(corpus_copy), check=True).stdout
    assert review.read_text(encoding="utf-8") == template


def test_review_edits_touch_only_their_lines(tmp_path: Path) -> None:
    """Decisions and additions are edited in place, whatever the file's style: an indented list, comments, a
    block comment that mentions `decision:`, an existing relabel; removing the last addition leaves `[]`."""
    from irbc.core.yamlio import LINE_KEY, load_data, strip_lines
    from irbc.formats.review_edit import Edits, apply_edits

    text = """# reviewed by hand
doc_id: d
annotator: curated_v1
reviewed_against: lexicon_v1 / codebook 1.0.0
decisions:
  - concept: balancing
    surface: balancing
    context: "by balancing power"
    comment: |
      decision: reject was considered
    decision: accept

  # the next one is a heading
  - decision: reject
    concept: hedging
    relabel: balancing
    surface: Hedging
    context: Hedging and
additions:
  - concept: alliance
    surface: allies
    context: its allies
# end of file
"""
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    review = load_data(path, keep_lines=True)
    edits = Edits(decisions={0: ("reject", "containment"), 1: ("accept", None)}, removed_additions={0})
    new = apply_edits(text, review, edits, str(path), LINE_KEY)
    assert new == text.replace(
        "    decision: accept\n", "    decision: reject\n    relabel: containment\n"
    ).replace("  - decision: reject\n    concept: hedging\n    relabel: balancing\n",
              "  - decision: accept\n    concept: hedging\n").replace(
        "additions:\n  - concept: alliance\n    surface: allies\n    context: its allies\n", "additions: []\n"
    )  # fmt: skip
    path.write_text(new, encoding="utf-8")
    data = strip_lines(load_data(path, keep_lines=True))
    assert data["decisions"][0]["comment"] == "decision: reject was considered\n"
    assert [d["decision"] for d in data["decisions"]] == ["reject", "accept"] and data["additions"] == []
    review = load_data(path, keep_lines=True)
    added = {"concept": "hedging", "surface": "hedge", "context": "a hedge: against"}
    again = apply_edits(new, review, Edits(new_additions=[added]), str(path), LINE_KEY)
    assert again.endswith(
        "additions:\n  - concept: hedging\n    surface: hedge\n    context: 'a hedge: against'\n# end of file\n"
    )
