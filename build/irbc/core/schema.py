"""The JSON Schemas in ``schema/`` are the source of truth. This module finds and loads them, lists the release
tables (every schema with an ``x-table-order``), validates input files, and walks JSON-Schema types once
(``field_type``) for every format derived from them: Arrow (``core.arrow``), Hugging Face features, Croissant and
the great-expectations suites."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from irbc.core.errors import InputError, InputErrors


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


def _release_tables() -> tuple[str, ...]:
    """The release tables: every schema file that declares ``x-table-order``, in that order."""
    found = []
    for path in sorted(schema_dir().glob("*.schema.json")):
        with path.open(encoding="utf-8") as f:
            order = json.load(f).get("x-table-order")
        if order is not None:
            found.append((order, path.name.removesuffix(".schema.json")))
    orders = [o for o, _ in found]
    if len(set(orders)) != len(orders):
        raise InputError(
            str(schema_dir()), None, f"two table schemas share an x-table-order: {sorted(found)}"
        )
    return tuple(name for _, name in sorted(found))


TABLES = _release_tables()
# tables whose rows belong to one document (they carry doc_id); the others (codebook, targets) are global
DOC_TABLES = tuple(t for t in TABLES if "doc_id" in load_schema(t)["properties"])


@cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """Compiled once per schema."""
    return jsonschema.Draft202012Validator(load_schema(name), format_checker=jsonschema.FormatChecker())


# ------------------------------------------------------------------------------------------ the type walker
@dataclass(frozen=True)
class FieldType:
    """One JSON-Schema property, read once: its base type, nullability, vocabulary, items or sub-fields."""

    base: str  # string | integer | number | boolean | array | object
    nullable: bool
    description: str
    enum: tuple[Any, ...] | None
    items: FieldType | None  # for arrays
    properties: dict[str, FieldType] | None  # for objects, in schema order
    schema: dict[str, Any]  # the property as written (for x- annotations)


def field_type(prop: dict[str, Any]) -> FieldType:
    t = prop.get("type")
    types = t if isinstance(t, list) else [t]
    base = next(x for x in types if x != "null")
    if base not in ("string", "integer", "number", "boolean", "array", "object"):
        raise ValueError(f"unsupported JSON Schema type {t!r}")
    return FieldType(
        base=base,
        nullable="null" in types,
        description=prop.get("description", ""),
        enum=tuple(prop["enum"]) if "enum" in prop else None,
        items=field_type(prop["items"]) if base == "array" else None,
        properties={k: field_type(v) for k, v in prop["properties"].items()} if base == "object" else None,
        schema=prop,
    )


@cache
def table_fields(table: str) -> dict[str, FieldType]:
    """The columns of a release table, in schema order."""
    return {k: field_type(v) for k, v in load_schema(table)["properties"].items()}


def columns(table: str) -> list[str]:
    return list(load_schema(table)["properties"])


def withheld_columns(table: str) -> tuple[list[str], dict[str, list[str]]]:
    """What a stand-off release withholds in ``table``, as marked by ``x-withheld-in-standoff`` in schema/:
    (top-level columns, {list-of-objects column: its withheld sub-fields})."""
    top, nested = [], {}
    for name, ft in table_fields(table).items():
        if ft.schema.get("x-withheld-in-standoff"):
            top.append(name)
        elif ft.items is not None and ft.items.properties:
            subs = [k for k, v in ft.items.properties.items() if v.schema.get("x-withheld-in-standoff")]
            if subs:
                nested[name] = subs
    return top, nested


# ------------------------------------------------------------------------------------------ input files
# keywords whose meaning is the same in JSON Schema draft 7 (fastjsonschema) and 2020-12 (our schemas)
_FAST_KEYWORDS = {
    "$id",
    "$schema",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "pattern",
    "enum",
    "const",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "uniqueItems",
}


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
    """Validate a human-edited input file; every error is reported at once, each naming the file, the JSON
    pointer (and line) and the reason.
    A compiled fast validator accepts the common case; anything it rejects goes through the reference
    ``jsonschema``, which decides and words the error."""
    import fastjsonschema

    from irbc.core.yamlio import strip_lines

    plain = strip_lines(data)
    fast = fast_input_validator(name)
    if fast is not None:
        try:
            fast(plain)
            return
        except fastjsonschema.JsonSchemaException:
            pass
    errors = sorted(validator(name).iter_errors(plain), key=lambda e: [str(p) for p in e.absolute_path])
    problems = []
    for e in errors:
        pointer = "/" + "/".join(str(p) for p in e.absolute_path)
        line = _line_of(data, list(e.absolute_path))
        problems.append(InputError(file, f"{pointer}" + (f" (line {line})" if line else ""), e.message))
    if problems:
        raise InputErrors.of(problems)


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
