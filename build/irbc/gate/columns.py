"""Columnar record checks: a chunk's rows are checked a column at a time against the flat constraints of their
table's schema (type, null, enum, pattern, minimum/maximum, minLength/maxLength, derived from schema/, never
retyped), and the per-record fastjsonschema validator runs only on the nested (array and object) fields.

The columnar path only ever *accepts*: when every column passes, every record is valid against the whole
schema (each keyword of a flat column is checked here, every other keyword by the nested validator, and
the rows' keys are exactly the schema's properties, which are all required). When anything fails, the table
goes through the per-record validators (``gate.records.jsonschema_checks``), which decide and word the
errors (table, record id, field) as they always have."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any

from irbc.core.schema import load_schema

_TYPES: dict[str, frozenset[type]] = {
    "string": frozenset({str}),
    "integer": frozenset({int}),  # exact types: bool (an int subclass) is not an integer in JSON Schema
    "number": frozenset({int, float}),
    "boolean": frozenset({bool}),
}
_INTS = frozenset({int, type(None)})
_FLAT_KEYWORDS = {"type", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength", "description"}
_TABLE_KEYWORDS = {"$id", "$schema", "title", "description", "type", "properties", "required"}
_TABLE_KEYWORDS |= {"additionalProperties"}


@dataclass(frozen=True)
class FlatColumn:
    """The constraints of one scalar column, read from its schema property."""

    name: str
    types: frozenset[type]  # exact Python types allowed (NoneType if nullable)
    enum: frozenset[Any] | None
    pattern: re.Pattern[str] | None
    minimum: float | None
    maximum: float | None
    min_length: int | None
    max_length: int | None


@dataclass(frozen=True)
class ColumnPlan:
    names: tuple[str, ...]  # every property, in schema order
    keys: frozenset[str]
    flat: tuple[FlatColumn, ...]
    nested: Any  # fastjsonschema validator of the nested properties only, or None if there are none


def _flat(name: str, prop: dict[str, Any]) -> FlatColumn | None:
    """The column's constraints, or None if it is not a flat column (it is then checked per record)."""
    keys = {k for k in prop if not k.startswith("x-")}
    ty = prop.get("type")
    types = ty if isinstance(ty, list) else [ty]
    base = [t for t in types if t != "null"]
    if not keys <= _FLAT_KEYWORDS or len(base) != 1 or base[0] not in _TYPES:
        return None
    return FlatColumn(
        name,
        _TYPES[base[0]] | ({type(None)} if "null" in types else set()),
        frozenset(prop["enum"]) if "enum" in prop else None,
        re.compile(prop["pattern"]) if "pattern" in prop else None,
        prop.get("minimum"),
        prop.get("maximum"),
        prop.get("minLength"),
        prop.get("maxLength"),
    )


@cache
def column_plan(table: str) -> ColumnPlan | None:
    """How ``table``'s records are checked column by column, or None if its schema has a shape this path
    does not cover (every record then goes through the per-record validators)."""
    import fastjsonschema

    s = load_schema(table)
    props: dict[str, Any] = s["properties"]
    top = {k for k in s if not k.startswith("x-")}
    if (
        not top <= _TABLE_KEYWORDS
        or s.get("type") != "object"
        or s.get("additionalProperties") is not False
        or set(s.get("required", [])) != set(props)
    ):
        return None
    flat, nested = [], {}
    for name, prop in props.items():
        col = _flat(name, prop)
        if col is None:
            nested[name] = prop
        else:
            flat.append(col)
    validator = fastjsonschema.compile({"type": "object", "properties": nested}) if nested else None
    return ColumnPlan(tuple(props), frozenset(props), tuple(flat), validator)


def row_columns(rows: list[dict[str, Any]], table: str) -> dict[str, tuple[Any, ...]] | None:
    """The rows as columns (one tuple of values per property, in schema order), or None if some row is not a
    dict holding exactly the schema's properties."""
    plan = column_plan(table)
    if plan is None:
        return None
    keys = plan.keys
    if not all(type(r) is dict and r.keys() == keys for r in rows):
        return None
    if not rows:
        return {n: () for n in plan.names}
    get = itemgetter(*plan.names)
    cols = zip(*map(get, rows), strict=True) if len(plan.names) > 1 else ((get(r),) for r in rows)
    return dict(zip(plan.names, cols, strict=True))


def _column_ok(col: FlatColumn, values: tuple[Any, ...]) -> bool:
    if not set(map(type, values)) <= col.types:
        return False
    if col.enum is not None and not set(values) <= col.enum:
        return False
    present = [v for v in values if v is not None] if type(None) in col.types else values
    if not present:
        return True
    if col.pattern is not None and not all(map(col.pattern.search, present)):
        return False
    ints = col.types <= _INTS  # min/max need no NaN
    if col.minimum is not None and (
        min(present) < col.minimum if ints else any(v < col.minimum for v in present)
    ):
        return False
    if col.maximum is not None and (
        max(present) > col.maximum if ints else any(v > col.maximum for v in present)
    ):
        return False
    if col.min_length is not None and min(map(len, present)) < col.min_length:
        return False
    return col.max_length is None or max(map(len, present)) <= col.max_length


def columnar_valid(
    rows: list[dict[str, Any]], table: str, columns: dict[str, tuple[Any, ...]] | None = None
) -> bool:
    """True only if every row is valid against ``table``'s schema (flat columns checked per column, nested
    fields per record); False means "not shown valid here", for the per-record validators to decide."""
    import fastjsonschema

    plan = column_plan(table)
    cols = row_columns(rows, table) if columns is None else columns
    if plan is None or cols is None:
        return False
    if not all(_column_ok(col, cols[col.name]) for col in plan.flat):
        return False
    if plan.nested is not None:
        try:
            for row in rows:
                plan.nested(row)
        except fastjsonschema.JsonSchemaValueException:
            return False
    return True
