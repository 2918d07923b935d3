"""The JSON Schemas are the source of truth: they are valid, and everything else is derived from them."""

from __future__ import annotations

import dataclasses
import json

import jsonschema
import pyarrow as pa
import pytest

from irbc.core import records
from irbc.core.arrow import arrow_schema, field_table
from irbc.core.schema import TABLES, load_schema, schema_dir, schema_keywords

RECORD_OF = {
    "documents": records.Document,
    "sections": records.Section,
    "paragraphs": records.Paragraph,
    "notes": records.Note,
    "removed": records.Removed,
    "sentences": records.Sentence,
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


TESTED_KEYWORDS = {
    "type",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "required",
    "additionalProperties",
    "items",
    "properties",
    "description",
    "$schema",
    "$id",
    "title",
    "x-primary-key",
    # annotations read by the package, not validation keywords: the release's table order, and the columns a
    # stand-off release withholds (tests/test_standoff_publish.py checks that they are withheld)
    "x-table-order",
    "x-withheld-in-standoff",
    # an annotation, not a validation keyword: the integrity checks enforce it (tests/test_validation_faults.py)
    "x-references",
}


def _violations(schema, row):
    """(keyword, mutated row) pairs, one per constraint of the schema, for a valid row."""
    for name, prop in schema["properties"].items():
        types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        base = next(t for t in types if t != "null")
        wrong = 3.5 if base == "string" else "x"
        yield "type", {**row, name: wrong}
        if "enum" in prop:
            yield "enum", {**row, name: "not-in-the-vocabulary"}
        if "pattern" in prop:
            yield "pattern", {**row, name: "NOT A VALID VALUE !"}
        if "minimum" in prop:
            yield "minimum", {**row, name: prop["minimum"] - 1}
        if "maximum" in prop:
            yield "maximum", {**row, name: prop["maximum"] + 1}
        yield "required", {k: v for k, v in row.items() if k != name}
        if base == "array" and row[name]:
            item = prop["items"]
            if item.get("type") == "object":
                first = dict(row[name][0])
                sub = next(iter(item["properties"]))
                yield (
                    "items/properties",
                    {
                        **row,
                        name: [
                            {
                                **first,
                                sub: 3.5 if first[sub] is not None and isinstance(first[sub], str) else "x",
                            }
                        ],
                    },
                )
                yield "items/additionalProperties", {**row, name: [{**first, "extra": 1}]}
            else:
                yield "items/type", {**row, name: [7]}
    yield "additionalProperties", {**row, "unexpected": 1}


def test_fast_validator_enforces_every_keyword_the_schemas_use(release):
    import fastjsonschema

    from conftest import table as read_table
    from irbc.core.schema import validator
    from irbc.gate.records import fast_validator

    used = set()
    for t in TABLES:
        schema_keywords(load_schema(t), used)
    assert used <= TESTED_KEYWORDS, (
        f"a schema uses a keyword the fast validator is not tested on: {used - TESTED_KEYWORDS}"
    )
    checked = 0
    for t in TABLES:
        rows = read_table(release, t)
        row = next((r for r in rows if any(isinstance(v, list) and v for v in r.values())), rows[0])
        fast_validator(t)(row)
        for kw, bad in _violations(load_schema(t), row):
            assert list(validator(t).iter_errors(bad)), (t, kw)
            with pytest.raises(fastjsonschema.JsonSchemaValueException):
                fast_validator(t)(bad)
            checked += 1
    assert checked > 250


# ------------------------------------------------------------------------------------------ input files
INPUT_FILES = [
    ("sources_manifest", "corpus/sources.yaml"),
    ("structure_profiles", "corpus/profiles.yaml"),
    ("stance_targets_file", "corpus/annotations/stance_targets.yaml"),
    ("codebook", "schema/codebook.yaml"),
    ("stance_agreement", "corpus/annotations/agreement/stances_second_pass.yaml"),
    *[("stance_annotations", f"corpus/annotations/stances/{p.name}") for p in sorted(
        (schema_dir().parent / "corpus" / "annotations" / "stances").glob("*.yaml"))],
    *[("mention_review", f"corpus/annotations/mentions/{p.name}") for p in sorted(
        (schema_dir().parent / "corpus" / "annotations" / "mentions").glob("*.yaml"))],
]  # fmt: skip


def _input_mutations(schema, data):
    """The file as it is, then one damaged copy per top-level property and per array item's property."""
    yield "as is", data
    for name, prop in schema.get("properties", {}).items():
        wrong = 3.5 if prop.get("type") == "string" else "x"
        yield f"{name}: wrong type", {**data, name: wrong}
        if name in data:
            yield f"{name}: removed", {k: v for k, v in data.items() if k != name}
        item = prop.get("items", {})
        if isinstance(data.get(name), list) and data[name] and isinstance(data[name][0], dict):
            first = data[name][0]
            for sub, sp in item.get("properties", {}).items():
                bad = 3.5 if sp.get("type") == "string" else "x"
                yield f"{name}[0].{sub}: wrong type", {**data, name: [{**first, sub: bad}, *data[name][1:]]}
                if sub in first:
                    rest = {k: v for k, v in first.items() if k != sub}
                    yield f"{name}[0].{sub}: removed", {**data, name: [rest, *data[name][1:]]}
    yield "unexpected key", {**data, "unexpected_key": 1}


@pytest.mark.parametrize("name,rel", INPUT_FILES, ids=[r for _, r in INPUT_FILES])
def test_input_fast_path_agrees_with_the_reference_validator(name, rel):
    """validate_input accepts through the compiled fastjsonschema validator; on every input file of the corpus
    and on damaged copies of it, that validator must accept exactly what the reference jsonschema accepts."""
    import fastjsonschema

    from irbc.core.schema import fast_input_validator, validator
    from irbc.core.yamlio import load_data

    fast = fast_input_validator(name)
    assert fast is not None, f"{name} is validated by the reference validator only"
    data = load_data(schema_dir().parent / rel)
    n = 0
    for what, doc in _input_mutations(load_schema(name), data):
        ref_ok = validator(name).is_valid(doc)
        try:
            fast(doc)
            fast_ok = True
        except fastjsonschema.JsonSchemaException:
            fast_ok = False
        assert fast_ok == ref_ok, f"{rel} ({what}): fastjsonschema {fast_ok}, jsonschema {ref_ok}"
        n += not ref_ok
    assert n >= 2, "the mutations should produce invalid files"
