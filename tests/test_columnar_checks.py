"""The columnar record checks (gate/columns.py) and the per-record validators reject the same faults: a fault of
each kind (wrong type, value outside the vocabulary, pattern, bound, missing required field, extra field, nested
field) put into one row of a table's rows makes the columnar path decline the table, and the per-record path
then reports it naming the table, the record and the field. Clean tables are accepted column by column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastjsonschema
import pyarrow as pa
import pytest

from conftest import table as read_table
from irbc.core.arrow import to_arrow
from irbc.core.schema import TABLES, load_schema, validator
from irbc.gate.columns import FlatColumn, _column_ok, column_plan, columnar_valid, row_columns
from irbc.gate.records import fast_validator, jsonschema_checks
from test_schema import _violations


def _sample(release: Path, t: str) -> list[dict[str, Any]]:
    rows = read_table(release, t)
    # a row with a non-empty list first, so the nested faults have an item to damage
    rows.sort(key=lambda r: not any(isinstance(v, list) and v for v in r.values()))
    return rows[:50]


def test_clean_tables_accepted_column_by_column(release: Path) -> None:
    for t in TABLES:
        assert column_plan(t) is not None, t
        rows = read_table(release, t)
        assert columnar_valid(rows, t), t
        assert columnar_valid(rows, t, row_columns(rows, t)), t


def test_both_paths_reject_every_fault(release: Path) -> None:
    kinds: set[str] = set()
    for t in TABLES:
        rows = _sample(release, t)
        if not rows:
            continue
        key = load_schema(t)["x-primary-key"]
        for kind, bad in _violations(load_schema(t), rows[0]):
            chunk = [*rows[1:], bad]  # the faulty row among valid ones
            assert not columnar_valid(chunk, t), (t, kind)
            with pytest.raises(fastjsonschema.JsonSchemaValueException):
                fast_validator(t)(bad)
            assert list(validator(t).iter_errors(bad)), (t, kind)
            (check,) = jsonschema_checks({t: chunk}, (t,))
            assert (check.table, check.passed, check.failed >= 1) == (t, False, True), (t, kind)
            field = next(k for k in {**rows[0], **bad} if rows[0].get(k, ...) != bad.get(k, ...))
            shown = check.examples[0]
            assert shown.startswith(f"row {bad.get(key, len(chunk) - 1)}"), shown
            assert field in shown, (t, kind, shown)
            kinds.add(kind.split("/")[0])
    assert kinds >= {"type", "enum", "pattern", "minimum", "maximum", "required", "items"}, kinds


def test_length_bounds_and_nulls_per_column() -> None:
    col = FlatColumn("x", frozenset({str, type(None)}), None, None, None, None, 2, 3)
    assert _column_ok(col, ("ab", None, "abc"))
    assert not _column_ok(col, ("a",))
    assert not _column_ok(col, ("abcd",))
    ints = FlatColumn("n", frozenset({int}), None, None, 0, 9, None, None)
    assert _column_ok(ints, (0, 9))
    assert not _column_ok(ints, (True,))  # a bool is not a JSON Schema integer
    assert not _column_ok(ints, (None,))
    nums = FlatColumn("f", frozenset({int, float}), None, None, 0, None, None, None)
    assert not _column_ok(nums, (1.0, -0.5))


def test_arrow_from_columns_same_table(release: Path) -> None:
    for t in TABLES:
        rows = read_table(release, t)
        cols = row_columns(rows, t)
        assert cols is not None
        got: pa.Table = to_arrow(rows, t, cols)
        assert got.equals(to_arrow(rows, t)) and got.schema.equals(
            to_arrow(rows, t).schema, check_metadata=True
        )
