"""UIMA CAS XMI for INCEpTION, written and read with dkpro-cassis: ``TypeSystem.xml`` and ``<doc_id>.xmi`` per
document, with the clean text as the sofa, the DKPro Core ``Paragraph`` type for paragraphs and notes (the
release has no sentence segmentation, so none is written), and two custom span layers in INCEpTION's
``webanno.custom`` namespace: ``Concept`` (feature ``concept``) and ``StanceEvidence`` (``stance``, ``target``,
``holder``, ``attribution``, ``stanceId``). cassis offsets are character offsets, as the release's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbc.core.errors import InputError
from irbc.formats.model import ExportData, ImportedDoc, ImportedEvidence, ImportedSpan
from irbc.formats.registry import format_exporter, format_importer

TYPESYSTEM = "TypeSystem.xml"
PARAGRAPH = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Paragraph"
CONCEPT = "webanno.custom.Concept"
EVIDENCE = "webanno.custom.StanceEvidence"
EVIDENCE_FEATURES = ("stance", "target", "holder", "attribution", "stanceId")


def typesystem() -> Any:
    from cassis import TypeSystem

    ts = TypeSystem()
    ts.create_type(
        PARAGRAPH, description="A paragraph, heading, list item, quotation or note of the clean text"
    )
    concept = ts.create_type(
        CONCEPT, description="A mention of a concept of the IR Balancing Corpus codebook"
    )
    ts.create_feature(concept, "concept", "uima.cas.String", description="concept_id of the codebook")
    ev = ts.create_type(EVIDENCE, description="A verbatim evidence quote of a curated stance")
    for name in EVIDENCE_FEATURES:
        ts.create_feature(ev, name, "uima.cas.String")
    return ts


@format_exporter("xmi", "UIMA CAS XMI (dkpro-cassis) with TypeSystem.xml, for INCEpTION")
def export_xmi(data: ExportData, out: Path) -> None:
    from cassis import Cas

    ts = typesystem()
    Para, Concept, Ev = ts.get_type(PARAGRAPH), ts.get_type(CONCEPT), ts.get_type(EVIDENCE)
    for doc in data.docs:
        cas = Cas(typesystem=ts, sofa_string=doc.text, document_language="en")
        cas.get_document_annotation().end = len(doc.text)  # UIMA's document annotation covers the whole text
        for s, e, _ in sorted(doc.paragraphs + doc.notes):
            cas.add(Para(begin=s, end=e))
        for m in doc.mentions:
            cas.add(Concept(begin=m["start"], end=m["end"], concept=m["concept_id"]))
        for v in doc.evidence:
            cas.add(Ev(begin=v.start, end=v.end, stance=v.stance, target=v.target, holder=v.holder,
                       attribution=v.attribution, stanceId=v.stance_id))  # fmt: skip
        cas.to_xmi(out / f"{doc.doc_id}.xmi", pretty_print=True)
    ts.to_xml(out / TYPESYSTEM)


def _read_cas(path: Path, ts: Any) -> ImportedDoc:
    from cassis import load_cas_from_xmi

    try:
        with path.open("rb") as f:
            cas = load_cas_from_xmi(f, typesystem=ts, lenient=True)
    except Exception as exc:  # cassis raises lxml and its own errors alike
        raise InputError(str(path), None, f"not a readable UIMA CAS XMI file: {exc}") from None
    doc = ImportedDoc(path.stem, cas.sofa_string or "", str(path))
    for a in cas.select(CONCEPT):
        where = f"{path}:xmi:id {a.xmiID}"
        if not a.concept:
            raise InputError(where, None, f"Concept annotation {a.begin}-{a.end} has no concept")
        doc.mentions.append(ImportedSpan(a.begin, a.end, a.concept, None, where))
    for a in cas.select(EVIDENCE):
        where = f"{path}:xmi:id {a.xmiID}"
        missing = [f for f in ("stance", "target", "holder", "attribution") if not a.get(f)]
        if missing:
            raise InputError(where, None, f"StanceEvidence {a.begin}-{a.end} has no {', '.join(missing)}")
        doc.evidence.append(
            ImportedEvidence(a.begin, a.end, a.target, a.holder, a.attribution, a.stance, where)
        )
    return doc


@format_importer("xmi")
def import_xmi(folder: Path) -> list[ImportedDoc]:
    from cassis import load_typesystem

    folder = Path(folder)
    found = [p for p in sorted(folder.iterdir()) if p.name.lower() == TYPESYSTEM.lower()]
    if not found:
        raise InputError(str(folder), None, f"no {TYPESYSTEM}: not an XMI export folder")
    tsf = found[0]
    try:
        with tsf.open("rb") as f:
            ts = load_typesystem(f)
    except Exception as exc:
        raise InputError(str(tsf), None, f"not a readable UIMA type system: {exc}") from None
    for name in (CONCEPT, EVIDENCE):
        if not ts.contains_type(name):
            raise InputError(str(tsf), None, f"type {name} is missing")
    xmis = sorted(folder.glob("*.xmi"))
    if not xmis:
        raise InputError(str(folder), None, "no .xmi files")
    return [_read_cas(p, ts) for p in xmis]
