"""Derived views: Parquet files the build computes from a release table (never a second source of truth), each
shipped as its own Hugging Face config. ``concept_mentions`` holds two annotator layers for the same spans (the
automatic tagger and the reviewed layer); ``concept_mentions_curated`` is the reviewed layer alone, so that the
easy way to load mentions counts each span once; likewise ``stances_curated`` is the curated stance layer without
the blind second pass (``curated_v1_second_pass``) that ``stances`` also holds. ``irbc validate`` checks every view against its table
(``check_view``); the manifest covers its file like any other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from irbc.annotators.curated import CuratedMentions
from irbc.annotators.stances import CuratedStances
from irbc.core.arrow import arrow_schema
from irbc.core.tables import RowStream, TableStore, table_path, write_table
from irbc.release.exporters import ExportContext, exporter

PIECE_BYTES = 32 << 20  # the source table is read a piece at a time


@dataclass(frozen=True)
class View:
    name: str  # its Hugging Face config and its folder under data/
    table: str  # the release table it is derived from (and whose schema it has)
    annotator: str  # it holds the rows of this annotator layer only, in the table's order


CURATED_MENTIONS = View("concept_mentions_curated", CuratedMentions.table, CuratedMentions.name)
CURATED_STANCES = View("stances_curated", CuratedStances.table, CuratedStances.name)
VIEWS = (CURATED_MENTIONS, CURATED_STANCES)


def view_file(v: View) -> str:
    """The release path of a view's Parquet file."""
    return str(table_path(Path("data"), v.name))


def _select(data: pa.Table, v: View) -> pa.Table:
    return data.filter(pc.equal(data["annotator"], v.annotator))


def derive(tables: TableStore, v: View) -> pa.Table:
    """The view's rows, computed from its table."""
    parts = [_select(tables.read_slice(v.table, p), v) for p in tables.slices(v.table, PIECE_BYTES)]
    return pa.concat_tables(parts) if parts else arrow_schema(v.table).empty_table()


def check_view(tables: TableStore, release: Path, v: View) -> list[str]:
    """Problems of a release's view file: it must hold exactly the rows ``derive`` computes from the table (read
    a piece at a time from both files)."""
    path = release / view_file(v)
    if not path.is_file():
        return [f"{view_file(v)} is missing"]
    f = pq.ParquetFile(path)
    if f.schema_arrow != arrow_schema(v.table):
        return [f"{view_file(v)}: its schema is not {v.table}'s"]
    got = RowStream(f.schema_arrow, f.iter_batches())
    done = 0
    for piece in tables.slices(v.table, PIECE_BYTES):
        want = _select(tables.read_slice(v.table, piece), v)
        try:
            have = got.take(want.num_rows)
        except ValueError:
            return [f"{view_file(v)} has fewer rows than the {v.annotator} rows of {v.table}"]
        if not have.equals(want):
            return [f"{view_file(v)} differs from the {v.annotator} rows of {v.table} (after row {done})"]
        done += want.num_rows
    if f.metadata.num_rows != done:
        return [f"{view_file(v)} has {f.metadata.num_rows} rows, {v.table} has {done} {v.annotator} rows"]
    return []


@exporter(
    "views_v1",
    *(view_file(v) for v in VIEWS),
    description=f"the reviewed layer of concept_mentions alone ({CURATED_MENTIONS.annotator} rows, config "
    f"{CURATED_MENTIONS.name}) and the curated stances without the second pass ({CURATED_STANCES.annotator} rows, "
    f"config {CURATED_STANCES.name}): views the build derives from their tables",
)
def write_views(release: Path, ctx: ExportContext) -> None:
    for v in VIEWS:
        write_table(derive(ctx.result.tables, v), v.table, release / view_file(v))
