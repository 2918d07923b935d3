"""The JSON Schemas in ``schema/`` are the source of truth. Arrow schemas (Parquet) and the release's
field tables are derived from them here, never typed a second time."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pyarrow as pa

from .errors import InputError

TABLES = (
    "documents",
    "sections",
    "paragraphs",
    "notes",
    "removed",
    "concepts",
    "concept_mentions",
    "stance_targets",
    "stances",
)


def schema_dir() -> Path:
    """schema/ at the project root (the package is installed from build/ in editable or regular mode)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "schema"
        if (cand / "documents.schema.json").is_file():
            return cand
    raise InputError("schema/", None, "cannot find the schema folder next to the package")


@cache
def load_schema(name: str) -> dict[str, Any]:
    path = schema_dir() / f"{name}.schema.json"
    with path.open(encoding="utf-8") as f:
        schema: dict[str, Any] = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """Compiled once per schema."""
    return jsonschema.Draft202012Validator(load_schema(name), format_checker=jsonschema.FormatChecker())


# keywords whose meaning is the same in JSON Schema draft 7 (fastjsonschema) and 2020-12 (our schemas)
_FAST_KEYWORDS = {
    "$id", "$schema", "title", "description", "type", "properties", "required", "additionalProperties",
    "items", "minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum", "pattern", "enum",
    "const", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "uniqueItems",
}  # fmt: skip


def schema_keywords(node: Any, acc: set[str] | None = None) -> set[str]:
    """Every keyword a schema uses, at any depth (property names are not keywords)."""
    acc = set() if acc is None else acc
    if isinstance(node, dict):
        for k, v in node.items():
            acc.add(k)
            for sub in v.values() if k == "properties" and isinstance(v, dict) else [v]:
                schema_keywords(sub, acc)
    elif isinstance(node, list):
        for x in node:
            schema_keywords(x, acc)
    return acc


@cache
def fast_input_validator(name: str) -> Any:
    """fastjsonschema compiled from an input schema, or None if the schema uses a keyword outside
    ``_FAST_KEYWORDS`` (then only the reference validator runs)."""
    import fastjsonschema

    schema = load_schema(name)
    used = {k for k in schema_keywords(schema) if not k.startswith("x-")}
    return fastjsonschema.compile(schema) if used <= _FAST_KEYWORDS else None


def validate_input(name: str, data: Any, file: str) -> None:
    """Validate a human-edited input file; the first error names the file, the JSON pointer and the reason.
    A compiled fast validator accepts the common case; anything it rejects goes through the reference
    ``jsonschema``, which decides and words the error."""
    import fastjsonschema

    from .yamlio import strip_lines

    plain = strip_lines(data)
    fast = fast_input_validator(name)
    if fast is not None:
        try:
            fast(plain)
            return
        except fastjsonschema.JsonSchemaException:
            pass
    errors = sorted(validator(name).iter_errors(plain), key=lambda e: [str(p) for p in e.absolute_path])
    if errors:
        e = errors[0]
        pointer = "/" + "/".join(str(p) for p in e.absolute_path)
        line = _line_of(data, list(e.absolute_path))
        place = f"{pointer}" + (f" (line {line})" if line else "")
        raise InputError(file, place, e.message)


def _line_of(data: Any, path: list[Any]) -> int | None:
    line = None
    cur = data
    for p in path:
        if isinstance(cur, dict) and "__line__" in cur:
            line = cur["__line__"]
        try:
            cur = cur[p]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(cur, dict) and "__line__" in cur:
        line = cur["__line__"]
    return line


def _arrow_type(prop: dict[str, Any]) -> tuple[pa.DataType, bool]:
    t = prop.get("type")
    types = t if isinstance(t, list) else [t]
    nullable = "null" in types
    base = next(x for x in types if x != "null")
    if base == "string":
        return pa.string(), nullable
    if base == "integer":
        return pa.int64(), nullable
    if base == "number":
        return pa.float64(), nullable
    if base == "boolean":
        return pa.bool_(), nullable
    if base == "array":
        item_t, item_null = _arrow_type(prop["items"])
        return pa.list_(pa.field("item", item_t, nullable=item_null)), nullable
    if base == "object":
        return pa.struct(_fields(prop)), nullable
    raise ValueError(f"no Arrow type for JSON Schema type {t!r}")


def _fields(schema: dict[str, Any]) -> list[pa.Field]:
    out = []
    for name, prop in schema["properties"].items():
        typ, nullable = _arrow_type(prop)
        out.append(
            pa.field(name, typ, nullable=nullable, metadata={"description": prop.get("description", "")})
        )
    return out


@cache
def arrow_schema(table: str) -> pa.Schema:
    """Arrow schema of a release table, derived from schema/<table>.schema.json (columns in schema order)."""
    s = load_schema(table)
    return pa.schema(_fields(s), metadata={"title": s["title"], "description": s["description"]})


def columns(table: str) -> list[str]:
    return list(load_schema(table)["properties"])


def field_table(table: str) -> list[tuple[str, str, str, bool]]:
    """(name, type, description, nullable) rows for documentation (dataset card, DATASHEET)."""
    rows = []
    for name, prop in load_schema(table)["properties"].items():
        typ, nullable = _arrow_type(prop)
        label = str(typ).replace("large_", "")
        if "enum" in prop:
            label += " ∈ {" + ", ".join(prop["enum"]) + "}"
        rows.append((name, label, prop.get("description", ""), nullable))
    return rows
