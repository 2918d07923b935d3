"""Croissant metadata (croissant.json) for the release, generated with mlcroissant from schema/ and the corpus
description.

- One record set per table, its ``key`` from ``x-primary-key``; every ``x-references`` foreign key is a field
  ``references``.
- A closed vocabulary (a JSON-Schema ``enum`` on a label column) becomes a record set of its own, typed
  ``sc:Enumeration``, whose values are inline ``data``; the label field ``references`` it. Croissant has no enum
  type, and this is the form its specification gives for categorical values: the vocabulary is data a consumer
  can read and join on, not prose in a description.
- Creator, keywords, datePublished, licence and citeAs come from the citation record; the RAI fields from the
  DATASHEET's answers in corpus/dataset.yaml (``RAI_FROM_DATASHEET``), never retyped.

mlcroissant 1.1 implements ``references`` as a join when records are read, and caches the referenced record
set's output: read each record set from its own ``mlc.Dataset`` (reading two from one ``Dataset`` fails with
"'generator' object has no attribute 'columns'")."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from irbc import DATASET_VERSION
from irbc.core.io import sha256_file
from irbc.core.result import BuildResult
from irbc.core.schema import TABLES, FieldType, load_schema, table_fields
from irbc.core.tables import table_path
from irbc.release.citation import citation_bibtex, citation_record
from irbc.release.docs import SCHEMA_DOCS
from irbc.release.exporters import ExportContext, exporter
from irbc.release.license import licence_entries
from irbc.release.markdown import pct
from irbc.release.stats import common_values

CROISSANT = "croissant.json"
_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "FLOAT", "boolean": "BOOL"}
ENUMERATION = "https://schema.org/Enumeration"
# RAI property (mlcroissant's name) -> the DATASHEET answers (corpus/dataset.yaml, datasheet:) it is made of;
# a property with one value joins its answers, the others list them
RAI_FROM_DATASHEET: dict[str, tuple[str, ...]] = {
    "data_collection": ("acquisition", "mechanisms"),
    "data_annotation_protocol": ("annotation_protocol", "stance_protocol"),
    "annotator_demographics": ("annotator_description",),
    "data_biases": ("sample", "annotation_bias"),
    "data_limitations": ("caveats", "known_errors", "not_for"),
    "personal_sensitive_information": ("people",),
    "data_use_cases": ("other_tasks",),
    "data_release_maintenance_plan": ("maintainers", "contact"),
}
_RAI_SINGLE = {"data_collection", "data_release_maintenance_plan"}


def vocabulary_id(table: str, column: str) -> str:
    return f"{table}_{column}_vocabulary"


def _field(mlc: Any, table: str, name: str, ft: FieldType, file_id: str, path: str) -> Any:
    fid = f"{table}/{path}"
    src = mlc.Source(file_object=file_id, extract=mlc.Extract(column=path.split("/")[0]))
    if "/" in path:  # a sub-field of a struct inside a list
        src = mlc.Source(
            file_object=file_id,
            extract=mlc.Extract(column=path.split("/")[0]),
            transforms=[mlc.Transform(json_path=path.split("/")[-1])],
        )
    if ft.items is not None:
        if ft.items.properties is not None:
            subs = [_field(mlc, table, k, v, file_id, f"{path}/{k}") for k, v in ft.items.properties.items()]
            return mlc.Field(
                id=fid, name=name, description=ft.description, repeated=True, sub_fields=subs, source=src
            )
        return mlc.Field(
            id=fid,
            name=name,
            description=ft.description,
            repeated=True,
            data_types=[getattr(mlc.DataType, _TYPES[ft.items.base])],
            source=src,
        )
    references = None
    ref = ft.schema.get("x-references")
    # a table's reference to itself (citations.refers_to) would be a cycle in mlcroissant's join graph: the
    # schema and datapackage.json declare it, Croissant does not
    if "/" not in path and ref and ref.split(".")[0] != table:
        references = mlc.Source(field=ref.replace(".", "/"))
    elif "/" not in path and ft.enum is not None:
        references = mlc.Source(field=f"{vocabulary_id(table, name)}/value")
    return mlc.Field(
        id=fid,
        name=name,
        description=ft.description,
        data_types=[getattr(mlc.DataType, _TYPES[ft.base])],
        source=src,
        references=references,
    )


def _vocabulary(mlc: Any, table: str, column: str, ft: FieldType) -> Any:
    """The closed vocabulary of a label column as an enumeration record set with its values as data."""
    from rdflib import term

    rid = vocabulary_id(table, column)
    assert ft.enum is not None
    return mlc.RecordSet(
        id=rid,
        name=rid,
        description=f"The closed vocabulary of {table}.{column} ({SCHEMA_DOCS}/{table}.schema.json): {ft.description}",
        data_types=[term.URIRef(ENUMERATION)],
        key=[f"{rid}/value"],
        fields=[
            mlc.Field(
                id=f"{rid}/value",
                name="value",
                description=f"A value {table}.{column} may take.",
                data_types=[getattr(mlc.DataType, _TYPES[ft.base])],
            )
        ],
        data=[{f"{rid}/value": v} for v in ft.enum],
    )


def _record_sets(mlc: Any, release: Path) -> tuple[list[Any], list[Any]]:
    files, sets, vocabularies = [], [], []
    for t in TABLES:
        rel = str(table_path(Path("data"), t))
        fid = f"{t}-parquet"
        files.append(
            mlc.FileObject(
                id=fid,
                name=fid,
                content_url=rel,
                encoding_formats=["application/x-parquet"],
                sha256=sha256_file(release / rel),
            )
        )
        cols = table_fields(t)
        fields = [_field(mlc, t, k, v, fid, k) for k, v in cols.items()]
        vocabularies += [_vocabulary(mlc, t, k, v) for k, v in cols.items() if v.enum is not None]
        schema = load_schema(t)
        key = [f"{t}/{schema['x-primary-key']}"]
        sets.append(mlc.RecordSet(id=t, name=t, description=schema["description"], key=key, fields=fields))
    return files, sets + vocabularies


def _annotation_analysis(result: BuildResult) -> list[str]:
    """The measured agreement, from the build summary (as the DATASHEET reports it)."""
    out = []
    scores = result.scores or {}
    o = scores.get("overall")
    if o:
        out.append(
            f"lexicon_v1 against curated_v1 (exact span and concept, main-text paragraphs of "
            f"{len(scores['documents'])} documents): precision {pct(o['precision'])}, recall "
            f"{pct(o['recall'])}, F1 {pct(o['f1'])}."
        )
    ag = result.summary.get("agreement", {}).get("stances")
    if ag:
        kappa = "undefined" if ag["cohen_kappa"] is None else f"{ag['cohen_kappa']:.3f}"
        out.append(
            f"Author stances, {ag['items']} document x target pairs labelled by a blind second annotator "
            f"({ag['annotators'][1]}): observed agreement with {ag['annotators'][0]} "
            f"{ag['observed_agreement']:.3f}, Cohen's kappa {kappa}."
        )
    return out


def rai_fields(result: BuildResult, report_json: dict[str, Any]) -> dict[str, Any]:
    """The RAI properties, each filled from the DATASHEET answers named in RAI_FROM_DATASHEET."""
    sheet, values = result.description["datasheet"], common_values(result, report_json)
    out: dict[str, Any] = {}
    for prop, keys in RAI_FROM_DATASHEET.items():
        answers = [sheet[k].format(**values).replace("\n", " ") for k in keys]
        out[prop] = " ".join(answers) if prop in _RAI_SINGLE else answers
    out["data_annotation_analysis"] = _annotation_analysis(result) or None
    return out


def croissant(release: Path, result: BuildResult, report_json: dict[str, Any]) -> dict[str, Any]:
    import mlcroissant as mlc

    desc = result.description
    c = citation_record(desc)
    files, sets = _record_sets(mlc, release)
    licences = [
        url if spdx else mlc.CreativeWork(name=title, description=covers, url=url)
        for spdx, url, title, covers in licence_entries(desc)
    ]
    md = mlc.Metadata(
        name=desc["name"],
        description=desc["summary"],
        creators=[mlc.Organization(name=a) for a in c.authors],
        keywords=list(c.keywords),
        in_language=list(desc["hub"]["language"]),
        date_published=datetime.datetime.combine(c.released, datetime.time()),
        license=licences,
        url=c.identifiers.get("url"),  # omitted while the project has no public home
        version=DATASET_VERSION,
        cite_as=citation_bibtex(desc),
        distribution=files,
        record_sets=sets,
        **rai_fields(result, report_json),
    )
    out: dict[str, Any] = md.to_json()
    return out


@exporter(
    "croissant_v1",
    CROISSANT,
    description="Croissant 1.0 metadata with the RAI fields: record sets, keys, foreign keys, vocabularies",
)
def write_croissant(release: Path, ctx: ExportContext) -> None:
    data = croissant(release, ctx.result, ctx.report_json)
    (release / CROISSANT).write_text(
        json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
