"""datapackage.json: a Frictionless (Tabular) Data Package with one resource per table, each with a Table Schema
derived from schema/: field types, ``required`` from nullability, JSON-Schema keywords as constraints (enum,
pattern, minimum, maximum, minLength), ``primaryKey`` from ``x-primary-key`` and ``foreignKeys`` from
``x-references``. Columns that hold lists (of strings or of objects) are Table Schema ``any`` fields in the shipped
descriptor, their item type in ``x-item-type`` and the description: frictionless (5.x) reads Parquet through
pandas, which hands list cells over as numpy arrays, and its ``array`` type accepts Python lists only, so an
``array`` field would fail on every cell of a correct file. ``table_schema(table, lists="array")`` gives the strict
form, which the tests check on rows read by pyarrow.
Package metadata comes from the citation record. No ``bytes``/``hash`` per resource: frictionless reads Parquet
through pyarrow, not as a byte stream, so it cannot check them (it reports a byte-count error); manifest.json and
croissant.json carry every file's SHA-256."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from irbc import DATASET_VERSION
from irbc.core.io import write_json
from irbc.core.schema import TABLES, FieldType, load_schema, table_fields
from irbc.core.tables import table_path
from irbc.release.citation import citation_record
from irbc.release.exporters import ExportContext, exporter
from irbc.release.license import licence_entries

DATAPACKAGE = "datapackage.json"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"
_CONSTRAINTS = ("pattern", "minimum", "maximum", "minLength", "maxLength")


def _pattern(p: str) -> str:
    """A JSON-Schema pattern (search semantics) as a Table Schema one (whole-value match): our patterns are
    anchored at both ends, which is the same thing."""
    if not (p.startswith("^") and p.endswith("$")):
        raise ValueError(f"pattern {p!r} is not anchored (^...$): its Table Schema form would differ")
    return p[1:-1]


def _item_type(ft: FieldType) -> str:
    assert ft.items is not None
    if ft.items.base == "object" and ft.items.properties is not None:
        return "object{" + ", ".join(ft.items.properties) + "}"
    return ft.items.base


def table_schema_field(name: str, ft: FieldType, lists: str = "any") -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "type": ft.base, "description": ft.description}
    if ft.base == "array" and lists == "any":
        field["type"] = "any"
        field["x-item-type"] = _item_type(ft)
        field["description"] = f"{ft.description} [list of {field['x-item-type']}]"
    constraints: dict[str, Any] = {}
    if not ft.nullable:
        constraints["required"] = True
    if ft.enum is not None:
        constraints["enum"] = list(ft.enum)
    for k in _CONSTRAINTS:
        if k in ft.schema:
            constraints[k] = _pattern(ft.schema[k]) if k == "pattern" else ft.schema[k]
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(table: str, lists: str = "any") -> dict[str, Any]:
    """The Table Schema of one table; ``lists="array"`` types list columns ``array`` (see the module doc)."""
    fields = table_fields(table)
    schema: dict[str, Any] = {
        "fields": [table_schema_field(k, v, lists) for k, v in fields.items()],
        # Parquet has real nulls: an empty string is a value, never a missing one
        "missingValues": [],
        "primaryKey": [load_schema(table)["x-primary-key"]],
    }
    fks = []
    for name, ft in fields.items():
        ref = ft.schema.get("x-references")
        if (
            ref and ft.base != "array"
        ):  # Table Schema has no foreign keys on list columns (works.citation_ids)
            resource, column = ref.split(".")
            fks.append({"fields": [name], "reference": {"resource": resource, "fields": [column]}})
    if fks:
        schema["foreignKeys"] = fks
    return schema


def datapackage(desc: dict[str, Any]) -> dict[str, Any]:
    c = citation_record(desc)
    resources = []
    for t in TABLES:
        rel = str(table_path(Path("data"), t))
        resources.append(
            {
                "name": t,
                "path": rel,
                "profile": "tabular-data-resource",
                "format": "parquet",
                "mediatype": PARQUET_MEDIATYPE,
                "description": load_schema(t)["description"],
                "schema": table_schema(t),
            }
        )
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": re.sub(r"[^a-z0-9]+", "-", desc["name"].lower()).strip("-"),
        "title": c.title,
        "description": desc["summary"],
        "version": DATASET_VERSION,
        "keywords": list(c.keywords),
        "contributors": [{"title": a, "role": "author"} for a in c.authors],
        "licenses": [
            {k: v for k, v in (("name", spdx), ("path", path), ("title", title)) if v}
            for spdx, path, title, _ in licence_entries(desc)
        ],
    }
    if "url" in c.identifiers:
        package["homepage"] = c.identifiers["url"]
    if "doi" in c.identifiers:
        package["id"] = "https://doi.org/" + c.identifiers["doi"]
    package["resources"] = resources
    return package


@exporter(
    "datapackage_v1",
    DATAPACKAGE,
    description="Frictionless Data Package: one resource per table, Table Schemas with keys and vocabularies",
    report_free=True,
)
def write_datapackage(release: Path, ctx: ExportContext) -> None:
    write_json(release / DATAPACKAGE, datapackage(ctx.result.description))
