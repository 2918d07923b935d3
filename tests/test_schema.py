"""The JSON Schemas are the source of truth: they are valid, and everything else is derived from them."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pyarrow as pa
import pytest

from irbc import records
from irbc.schema import TABLES, arrow_schema, field_table, load_schema, schema_dir

RECORD_OF = {
    "documents": records.Document,
    "sections": records.Section,
    "paragraphs": records.Paragraph,
    "notes": records.Note,
    "removed": records.Removed,
}


@pytest.mark.parametrize("path", sorted(schema_dir().glob("*.schema.json")), ids=lambda p: p.name)
def test_every_schema_is_valid_draft_2020_12(path):
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("table", TABLES)
def test_arrow_schema_covers_every_field(table):
    schema = load_schema(table)
    arrow = arrow_schema(table)
    assert arrow.names == list(schema["properties"])
    assert set(schema["required"]) == set(schema["properties"]), "release records carry every column"
    for name, prop in schema["properties"].items():
        f = arrow.field(name)
        types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        assert f.nullable == ("null" in types), name
        assert f.metadata[b"description"].decode() == prop["description"]
        base = next(t for t in types if t != "null")
        expected = {"string": pa.string(), "integer": pa.int64(), "boolean": pa.bool_()}.get(base)
        if expected is not None:
            assert f.type == expected, name
        else:
            assert pa.types.is_list(f.type), name
    assert "large_string" not in str(arrow)


@pytest.mark.parametrize("table", sorted(RECORD_OF))
def test_record_types_match_schema(table):
    fields = [f.name for f in dataclasses.fields(RECORD_OF[table])]
    assert fields == list(load_schema(table)["properties"])


def test_field_table_lists_enums():
    rows = {r[0]: r for r in field_table("stances")}
    assert "favor" in rows["stance"][1] and "none" in rows["stance"][1]
    assert rows["evidence"][1].startswith("list<")


def test_primary_keys_exist():
    for t in TABLES:
        s = load_schema(t)
        assert s["x-primary-key"] in s["properties"]
