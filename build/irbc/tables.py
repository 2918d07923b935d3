"""Where the release tables live during a build: in memory (small builds, rehydration) or in the Parquet files a
streaming build has already written into its staging folder. Either way they are read through one Mapping, and
both paths write row groups the same way, so their files are byte-identical."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from .schema import TABLES, arrow_schema

# rows per Parquet row group: fixed, so a file's layout depends only on its rows (never on how the workers
# chunked the documents); text-heavy documents rows get smaller groups
ROW_GROUP_ROWS = {"documents": 1024}
DEFAULT_ROW_GROUP_ROWS = 65536
PARQUET_OPTIONS = {"compression": "zstd", "write_statistics": True, "store_schema": True}


def table_path(folder: Path, table: str) -> Path:
    """``folder`` is the release's data/ folder."""
    return folder / table / "train-00000-of-00001.parquet"


def group_rows(table: str) -> int:
    return ROW_GROUP_ROWS.get(table, DEFAULT_ROW_GROUP_ROWS)


def _write_groups(writer: pq.ParquetWriter, data: pa.Table, size: int) -> None:
    for off in range(0, data.num_rows, size):
        writer.write_table(data.slice(off, size).combine_chunks(), row_group_size=size)


def write_table(data: pa.Table, table: str, path: Path) -> None:
    """Write one whole table with its schema-derived Arrow schema, in fixed-size row groups."""
    schema = arrow_schema(table)
    if data.schema != schema:
        raise ValueError(f"table {table}: Arrow schema differs from the schema derived from schema/")
    path.parent.mkdir(parents=True, exist_ok=True)
    with pq.ParquetWriter(path, schema, **PARQUET_OPTIONS) as writer:  # type: ignore[arg-type]
        _write_groups(writer, data, group_rows(table))


class TableSink:
    """Appends Arrow tables to one Parquet file per table as worker chunks arrive (in manifest order), holding
    at most one row group per table in memory."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.buffers: dict[str, list[pa.Table]] = {t: [] for t in TABLES}
        self.buffered: dict[str, int] = dict.fromkeys(TABLES, 0)

    def _writer(self, table: str) -> pq.ParquetWriter:
        if table not in self.writers:
            path = table_path(self.folder, table)
            path.parent.mkdir(parents=True, exist_ok=True)
            self.writers[table] = pq.ParquetWriter(path, arrow_schema(table), **PARQUET_OPTIONS)  # type: ignore[arg-type]
        return self.writers[table]

    def add(self, table: str, data: pa.Table) -> None:
        if data.schema != arrow_schema(table):
            raise ValueError(f"table {table}: Arrow schema differs from the schema derived from schema/")
        self.buffers[table].append(data)
        self.buffered[table] += data.num_rows
        size = group_rows(table)
        if self.buffered[table] >= size:
            whole = pa.concat_tables(self.buffers[table])
            full = (whole.num_rows // size) * size
            _write_groups(self._writer(table), whole.slice(0, full), size)
            rest = whole.slice(full)
            self.buffers[table] = [rest] if rest.num_rows else []
            self.buffered[table] = rest.num_rows

    def close(self) -> None:
        for t in TABLES:
            if self.buffered[t] or t not in self.writers:
                data = pa.concat_tables(self.buffers[t]) if self.buffers[t] else arrow_schema(t).empty_table()
                _write_groups(self._writer(t), data, group_rows(t))
            self.writers[t].close()
        self.buffers = {t: [] for t in TABLES}

    def abort(self) -> None:
        for w in self.writers.values():
            with contextlib.suppress(Exception):  # best effort: the staging folder is removed anyway
                w.close()


class TableStore(Mapping[str, pa.Table]):
    """The release tables by name: in memory, or read from a data/ folder on access (never cached, so a build
    holds one big table at a time)."""

    def __init__(self, tables: dict[str, pa.Table] | None = None, folder: Path | None = None) -> None:
        if (tables is None) == (folder is None):
            raise ValueError("give either tables or a folder")
        self._mem = tables
        self.folder = folder

    def __getitem__(self, table: str) -> pa.Table:
        return self.read(table)

    def __iter__(self) -> Iterator[str]:
        return iter(t for t in TABLES if t in self._names())

    def __len__(self) -> int:
        return len(self._names())

    def __contains__(self, table: object) -> bool:
        return table in self._names()

    def _names(self) -> set[str]:
        if self._mem is not None:
            return set(self._mem)
        assert self.folder is not None
        return {t for t in TABLES if table_path(self.folder, t).is_file()}

    def read(self, table: str, columns: list[str] | None = None) -> pa.Table:
        if self._mem is not None:
            data = self._mem[table]
            return data.select(columns) if columns is not None else data
        assert self.folder is not None
        path = table_path(self.folder, table)
        if not path.is_file():
            raise KeyError(table)
        return pq.read_table(path, columns=columns)

    def num_rows(self, table: str) -> int:
        if self._mem is not None:
            return int(self._mem[table].num_rows)
        assert self.folder is not None
        return int(pq.ParquetFile(table_path(self.folder, table)).metadata.num_rows)

    def size(self, table: str) -> int:
        """Bytes in memory, or on disk: only used to order work, largest first."""
        if self._mem is not None:
            return int(self._mem[table].nbytes)
        assert self.folder is not None
        return table_path(self.folder, table).stat().st_size

    def head(self, table: str, n: int = 1) -> pa.Table:
        if self._mem is not None:
            return self._mem[table].slice(0, n)
        assert self.folder is not None
        f = pq.ParquetFile(table_path(self.folder, table))
        if f.metadata.num_row_groups == 0:
            return arrow_schema(table).empty_table()
        return f.read_row_group(0).slice(0, n)

    def slices(self, table: str, max_bytes: int) -> list[Any]:
        """A plan for reading ``table`` in pieces of about ``max_bytes`` (uncompressed): row ranges in memory,
        whole row groups on disk. Always at least one piece, even for an empty table."""
        if self._mem is not None:
            data = self._mem[table]
            per_row = max(1, data.nbytes // max(1, data.num_rows))
            step = max(1, max_bytes // per_row)
            return [(off, step) for off in range(0, data.num_rows, step)] or [(0, 0)]
        assert self.folder is not None
        meta = pq.ParquetFile(table_path(self.folder, table)).metadata
        plan: list[Any] = []
        cur: list[int] = []
        size = 0
        for i in range(meta.num_row_groups):
            cur.append(i)
            size += meta.row_group(i).total_byte_size
            if size >= max_bytes:
                plan.append(cur)
                cur, size = [], 0
        if cur or not plan:
            plan.append(cur)
        return plan

    def read_slice(self, table: str, piece: Any) -> pa.Table:
        if self._mem is not None:
            off, n = piece
            return self._mem[table].slice(off, n)
        assert self.folder is not None
        if not piece:
            return arrow_schema(table).empty_table()
        return pq.ParquetFile(table_path(self.folder, table)).read_row_groups(piece)
