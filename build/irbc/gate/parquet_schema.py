"""Release-file check: every Parquet file's Arrow schema is the one derived from schema/ (as the build writes it),
field by field: names and order, types, nullability, descriptions, and the table's title and description."""

from __future__ import annotations

from functools import cache
from typing import Any

from irbc.core.schema import TABLES
from irbc.core.tables import PARQUET_OPTIONS, TableStore
from irbc.gate.report import MAX_EXAMPLES, Check


@cache
def written_schema(table: str) -> Any:
    """The Arrow schema a file that core.tables wrote for ``table`` (from schema/) reads back with: Parquet's
    round trip renames list items ``element`` and keeps the schema-level and field metadata."""
    import io

    import pyarrow.parquet as pq

    from irbc.core.arrow import arrow_schema

    buf = io.BytesIO()
    with pq.ParquetWriter(buf, arrow_schema(table), **PARQUET_OPTIONS):  # type: ignore[arg-type]
        pass
    return pq.ParquetFile(io.BytesIO(buf.getvalue())).schema_arrow


def schema_differences(got: Any, want: Any) -> list[str]:
    """Every difference between the Arrow schema of a file (``got``) and the expected one (``want``), first
    the columns (names, order, then each column's type, nullability and description), then the schema's own
    metadata (title, description)."""
    out = _fields_differences("", list(got), list(want))
    out += _metadata_differences("schema metadata", got.metadata, want.metadata)
    if not out and not got.equals(want, check_metadata=True):
        out.append("differs from the schema derived from schema/")  # never pass a difference not described
    return out


def _fields_differences(prefix: str, got: list[Any], want: list[Any]) -> list[str]:
    gn, wn = [f.name for f in got], [f.name for f in want]
    what = f"{prefix.rstrip('.')} " if prefix else ""
    out = []
    missing, extra = [n for n in wn if n not in gn], [n for n in gn if n not in wn]
    if missing:
        out.append(f"{what}missing field(s) {', '.join(missing)}")
    if extra:
        out.append(f"{what}field(s) not in schema/: {', '.join(extra)}")
    common = [n for n in gn if n in wn]
    if common != [n for n in wn if n in gn]:
        out.append(
            f"{what}fields in the order {', '.join(common)}; schema/ has {', '.join(n for n in wn if n in gn)}"
        )
    by_name = {f.name: f for f in got}
    for w in want:
        if w.name in by_name:
            out += _field_differences(prefix + w.name, by_name[w.name], w)
    return out


def _field_differences(path: str, got: Any, want: Any) -> list[str]:
    import pyarrow as pa

    gt, wt = got.type, want.type
    if pa.types.is_struct(gt) and pa.types.is_struct(wt):
        out = _fields_differences(
            path + ".",
            [gt.field(i) for i in range(gt.num_fields)],
            [wt.field(i) for i in range(wt.num_fields)],
        )
    elif pa.types.is_list(gt) and pa.types.is_list(wt):
        out = _field_differences(path + "[]", gt.value_field, wt.value_field)
    elif gt != wt:
        out = [f"{path}: type {gt}, schema/ says {wt}"]
    else:
        out = []
    if got.nullable != want.nullable:
        out.append(
            f"{path}: {'nullable' if got.nullable else 'not nullable'} in the file, "
            f"{'nullable' if want.nullable else 'not nullable'} in schema/"
        )
    return out + _metadata_differences(path, got.metadata, want.metadata)


def _metadata_differences(
    where: str, got: dict[bytes, bytes] | None, want: dict[bytes, bytes] | None
) -> list[str]:
    got, want = got or {}, want or {}
    out = []
    for k in sorted(set(got) | set(want)):
        if got.get(k) != want.get(k):
            key = k.decode("utf-8", "replace")
            out.append(f"{where}: {key} {_short(got.get(k))}, schema/ says {_short(want.get(k))}")
    return out


def _short(v: bytes | None) -> str:
    s = "" if v is None else v.decode("utf-8", "replace")
    return "absent" if v is None else repr(s if len(s) <= 60 else s[:57] + "...")


def parquet_schema_checks(tables: TableStore) -> list[Check]:
    """One check per table: its file's Arrow schema is the one derived from schema/ (as written by the build):
    field names and order, types, nullability, descriptions, and the table's title and description."""
    checks = []
    for t in TABLES:
        want = written_schema(t)
        diffs = schema_differences(tables.schema(t), want)
        checks.append(
            Check(
                f"Parquet schema == schema/{t}.schema.json (fields, types, nullability, metadata)",
                t,
                "parquet_schema",
                not diffs,
                len(want),
                len(diffs),
                diffs[:MAX_EXAMPLES],
            )
        )
    return checks
