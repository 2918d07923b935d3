"""Where the release tables live during a build: in memory (small builds, rehydration) or in the Parquet files a
streaming build has already written into its staging folder. Either way they are read through one Mapping, and
both paths write row groups the same way, so their files are byte-identical."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from irbc.core.arrow import arrow_schema, to_arrow
from irbc.core.errors import InputError
from irbc.core.schema import TABLES

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


def write_parquet(rows: list[dict[str, Any]] | pa.Table, table: str, path: Path) -> None:
    """Write one table (record dicts or Arrow) with its explicit Arrow schema (no inference), deterministically."""
    write_table(rows if isinstance(rows, pa.Table) else to_arrow(rows, table), table, path)


def write_table(data: pa.Table, table: str, path: Path) -> None:
    """Write one whole table with its schema-derived Arrow schema, in fixed-size row groups (a table of another
    schema is refused before any file is made)."""
    write_pieces([data], table, path)


def write_pieces(pieces: Iterable[pa.Table], table: str, path: Path) -> None:
    """Write a table given a piece at a time: the bytes ``write_table`` writes for the pieces concatenated (the
    same fixed-size row groups), holding at most one row group and one piece in memory."""
    groups = _Groups(table, path)
    try:
        for piece in pieces:
            groups.add(piece)
    except BaseException:
        groups.abort()
        raise
    groups.close()


class _Groups:
    """One table's Parquet file, written in fixed-size row groups from tables added in turn: rows are held until
    they fill a row group (at most one row group and the latest addition in memory); ``close`` writes the rest.
    The file is opened at the first write (or at ``close``: a table with no rows is still a file)."""

    def __init__(self, table: str, path: Path) -> None:
        self.table, self.path = table, path
        self.schema, self.size = arrow_schema(table), group_rows(table)
        self.writer: pq.ParquetWriter | None = None
        self.held: list[pa.Table] = []
        self.rows = 0

    def _write(self, data: pa.Table) -> None:
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.path, self.schema, **PARQUET_OPTIONS)  # type: ignore[arg-type]
        _write_groups(self.writer, data, self.size)

    def add(self, data: pa.Table) -> None:
        if data.schema != self.schema:
            raise ValueError(f"table {self.table}: Arrow schema differs from the schema derived from schema/")
        self.held.append(data)
        self.rows += data.num_rows
        if self.rows >= self.size:
            whole = pa.concat_tables(self.held)
            full = (self.rows // self.size) * self.size
            self._write(whole.slice(0, full))
            rest = whole.slice(full)
            self.held, self.rows = ([rest] if rest.num_rows else []), rest.num_rows

    def close(self) -> None:
        self._write(pa.concat_tables(self.held) if self.held else self.schema.empty_table())
        self.held, self.rows = [], 0
        assert self.writer is not None
        self.writer.close()

    def abort(self) -> None:
        if self.writer is not None:
            with contextlib.suppress(Exception):  # best effort: the staging folder is removed anyway
                self.writer.close()


class TableSink:
    """Appends Arrow tables to one Parquet file per table as worker chunks arrive (in manifest order), holding
    at most one row group per table in memory."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.groups: dict[str, _Groups] = {}

    def add(self, table: str, data: pa.Table) -> None:
        if table not in self.groups:
            self.groups[table] = _Groups(table, table_path(self.folder, table))
        self.groups[table].add(data)

    def close(self) -> None:
        for t in TABLES:  # every table is a file, those no chunk had rows for too
            (self.groups.get(t) or _Groups(t, table_path(self.folder, t))).close()
        self.groups = {}

    def abort(self) -> None:
        for g in self.groups.values():
            g.abort()


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
    """A Parquet file that cannot be read is bad input: name the file and the reason."""
    try:
        yield
    except (OSError, pa.ArrowException) as exc:
        raise InputError(str(path), None, f"unreadable Parquet: {exc}") from exc


class RowStream:
    """Rows of one table in order, handed out as Arrow tables of any length (from a stream of record batches)."""

    def __init__(self, schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> None:
        self.schema, self._batches = schema, batches
        self._left: pa.Table = schema.empty_table()

    def take(self, n: int) -> pa.Table:
        parts = []
        while n > 0:
            if self._left.num_rows == 0:
                batch = next(self._batches, None)
                if batch is None:
                    raise ValueError(f"asked for {n} more rows than the table holds")
                self._left = pa.Table.from_batches([batch], schema=self.schema)
            k = min(n, self._left.num_rows)
            parts.append(self._left.slice(0, k))
            self._left, n = self._left.slice(k), n - k
        return pa.concat_tables(parts) if parts else self.schema.empty_table()


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
        path = self._path(table)
        if not path.is_file():
            raise KeyError(table)
        with reading(path):
            return pq.read_table(path, columns=columns)

    def _path(self, table: str) -> Path:
        assert self.folder is not None
        return table_path(self.folder, table)

    def _file(self, table: str) -> pq.ParquetFile:
        with reading(self._path(table)):
            return pq.ParquetFile(self._path(table))

    def schema(self, table: str) -> pa.Schema:
        if self._mem is not None:
            return self._mem[table].schema
        return self._file(table).schema_arrow

    def rows(self, table: str) -> RowStream:
        """The table's rows in order, a row group at a time (never the whole table at once from a folder)."""
        if self._mem is not None:
            data = self._mem[table]
            return RowStream(data.schema, iter(data.to_batches()))
        f, path = self._file(table), self._path(table)

        def batches() -> Iterator[pa.RecordBatch]:
            with reading(path):
                yield from f.iter_batches(batch_size=group_rows(table))

        return RowStream(f.schema_arrow, batches())

    def num_rows(self, table: str) -> int:
        if self._mem is not None:
            return int(self._mem[table].num_rows)
        return int(self._file(table).metadata.num_rows)

    def size(self, table: str) -> int:
        """Bytes in memory, or on disk: only used to order work, largest first."""
        if self._mem is not None:
            return int(self._mem[table].nbytes)
        return self._path(table).stat().st_size

    def head(self, table: str, n: int = 1) -> pa.Table:
        if self._mem is not None:
            return self._mem[table].slice(0, n)
        f = self._file(table)
        if f.metadata.num_row_groups == 0:
            return arrow_schema(table).empty_table()
        with reading(self._path(table)):
            return f.read_row_group(0).slice(0, n)

    def slices(self, table: str, max_bytes: int, cap: bool = False) -> list[Any]:
        """A plan for reading ``table`` in pieces of about ``max_bytes`` (uncompressed): row ranges in memory,
        whole row groups on disk. Always at least one piece, even for an empty table. On disk a piece grows
        until it reaches ``max_bytes``; with ``cap`` it stops before a row group that would take it over (a
        piece still holds at least one row group, however large)."""
        if self._mem is not None:
            data = self._mem[table]
            per_row = max(1, data.nbytes // max(1, data.num_rows))
            step = max(1, max_bytes // per_row)
            return [(off, step) for off in range(0, data.num_rows, step)] or [(0, 0)]
        meta = self._file(table).metadata
        plan: list[Any] = []
        cur: list[int] = []
        size = 0
        for i in range(meta.num_row_groups):
            group = meta.row_group(i).total_byte_size
            if cap and cur and size + group > max_bytes:
                plan.append(cur)
                cur, size = [], 0
            cur.append(i)
            size += group
            if size >= max_bytes:
                plan.append(cur)
                cur, size = [], 0
        if cur or not plan:
            plan.append(cur)
        return plan

    def write(self, folder: Path) -> None:
        """Write every table into ``folder`` (a release's data/), largest first, a thread per file: Parquet
        encoding and zstd run in Arrow's C++ without the GIL."""
        import os
        from concurrent.futures import ThreadPoolExecutor

        order = sorted(self, key=lambda t: -self.size(t))
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            list(pool.map(lambda t: write_table(self.read(t), t, table_path(folder, t)), order))

    def read_slice(self, table: str, piece: Any, columns: list[str] | None = None) -> pa.Table:
        if self._mem is not None:
            off, n = piece
            data = self._mem[table].slice(off, n)
        elif not piece:
            data = arrow_schema(table).empty_table()
        else:
            with reading(self._path(table)):
                data = self._file(table).read_row_groups(piece, columns=columns)
        return data.select(columns) if columns is not None else data


def arrow_tables(rows: dict[str, list[dict[str, Any]]]) -> TableStore:
    """Record dicts of every release table -> an in-memory TableStore (a missing table is empty)."""
    return TableStore({t: to_arrow(rows.get(t, []), t) for t in TABLES})
