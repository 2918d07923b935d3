"""W3C Web Annotation (JSON-LD): ``annotations/<doc_id>.jsonld`` per document, an ``AnnotationCollection`` whose
first page holds one ``Annotation`` per mention (motivation ``classifying``, the concept as body) and per piece
of stance evidence (motivation ``assessing``, the stance, target and holder as bodies), each targeting the
document with a ``TextPositionSelector`` and a ``TextQuoteSelector`` (exact, prefix, suffix), the annotator as
creator; and ``codebook.ttl``, the codebook as a SKOS concept scheme (written with rdflib). The release has no
web address yet, so every resource is named by a ``urn:irbc:`` IRI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from irbc.formats.model import Evidence, ExportData, ExportDoc, quote_selector
from irbc.formats.registry import format_exporter

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
BASE = "urn:irbc:"
SCHEME = "codebook.ttl"


def concept_iri(cid: str) -> str:
    return f"{BASE}concept:{cid}"


def _target(doc: ExportDoc, s: int, e: int) -> dict[str, Any]:
    return {
        "source": f"{BASE}document:{doc.doc_id}",
        "selector": [
            {"type": "TextPositionSelector", "start": s, "end": e},
            {"type": "TextQuoteSelector", **quote_selector(doc.text, s, e)},
        ],
    }


def _creator(name: str, table: str = "concept_mentions") -> dict[str, str]:
    """The annotator as a W3C agent: ``Software`` for an automatic layer; a reviewed layer is made by the
    project's annotators, a group the model has no class for, so it gets no type."""
    import irbc.annotators  # noqa: F401  (registers every annotator)
    from irbc.annotators.registry import registered

    auto = any(a.automatic for a in registered() if a.name == name and a.table == table)
    return {"id": f"{BASE}annotator:{name}", **({"type": "Software"} if auto else {}), "name": name}


def _evidence(doc: ExportDoc, ev: Evidence, i: int) -> dict[str, Any]:
    return {
        "id": f"{BASE}annotation:{doc.doc_id}:evidence:{i}",
        "type": "Annotation",
        "motivation": "assessing",
        "creator": _creator("curated_v1", "stances"),
        "body": [
            {"type": "TextualBody", "purpose": "tagging", "value": ev.stance},
            {"type": "SpecificResource", "purpose": "linking", "source": f"{BASE}stance-target:{ev.target}"},
            {
                "type": "TextualBody",
                "purpose": "describing",
                "value": f"holder: {ev.holder} ({ev.attribution})",
            },
        ],
        "target": _target(doc, ev.start, ev.end),
    }


def collection(doc: ExportDoc, annotator: str) -> dict[str, Any]:
    items = [
        {
            "id": f"{BASE}annotation:{m['mention_id']}",
            "type": "Annotation",
            "motivation": "classifying",
            "creator": _creator(annotator),
            "body": concept_iri(m["concept_id"]),
            "target": _target(doc, m["start"], m["end"]),
        }
        for m in doc.mentions
    ]
    items += [_evidence(doc, ev, i) for i, ev in enumerate(doc.evidence, 1)]
    cid = f"{BASE}collection:{doc.doc_id}"
    return {
        "@context": CONTEXT,
        "id": cid,
        "type": "AnnotationCollection",
        "label": doc.title or doc.doc_id,
        "total": len(items),
        "first": {
            "id": f"{cid}:page1",
            "type": "AnnotationPage",
            "partOf": cid,
            "startIndex": 0,
            "items": items,
        },
    }


def skos_scheme(data: ExportData) -> str:
    """The codebook as a SKOS ConceptScheme in Turtle: labels, definitions, surface forms, facets, broader."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, SKOS

    g = Graph()
    g.bind("skos", SKOS)
    scheme = URIRef(f"{BASE}codebook:{data.codebook_version}")
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    g.add(
        (
            scheme,
            SKOS.prefLabel,
            Literal(f"IR Balancing Corpus concept codebook {data.codebook_version}", "en"),
        )
    )
    for c in data.concepts:
        node = URIRef(concept_iri(c["concept_id"]))
        g.add((node, RDF.type, SKOS.Concept))
        g.add((node, SKOS.inScheme, scheme))
        g.add((node, SKOS.notation, Literal(c["concept_id"])))
        g.add((node, SKOS.prefLabel, Literal(c["label"], "en")))
        g.add((node, SKOS.definition, Literal(c["definition"], "en")))
        for form in c["surface_forms"]:
            g.add((node, SKOS.hiddenLabel, Literal(form, "en")))
        for b in c["broader"]:
            g.add((node, SKOS.broader, URIRef(concept_iri(b))))
        if not c["broader"]:
            g.add((node, SKOS.topConceptOf, scheme))
        g.add((node, SKOS.scopeNote, Literal(f"facet: {c['facet']}", "en")))
    return str(g.serialize(format="turtle"))


@format_exporter("webanno", "W3C Web Annotation JSON-LD per document, and the codebook as a SKOS scheme")
def export_webanno(data: ExportData, out: Path) -> None:
    (out / "annotations").mkdir()
    for doc in data.docs:
        text = json.dumps(collection(doc, data.annotator), indent=2, ensure_ascii=False) + "\n"
        (out / "annotations" / f"{doc.doc_id}.jsonld").write_text(text, encoding="utf-8")
    (out / SCHEME).write_text(skos_scheme(data), encoding="utf-8")
