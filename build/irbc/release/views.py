"""Derived views: Parquet files the build computes from release tables (never a second source of truth), each
shipped as its own Hugging Face config. ``concept_mentions`` holds two annotator layers for the same spans (the
automatic tagger and the reviewed layer); ``concept_mentions_curated`` is the reviewed layer alone, so that the
easy way to load mentions counts each span once; likewise ``stances_curated`` is the curated stance layer without
the blind second pass (``curated_v1_second_pass``) that ``stances`` also holds. ``stance_sentences`` turns the stance
evidence into sentence-level pairs: one row per stance and sentence its evidence lies in, with the sentence's text
(withheld with the document's text in a stand-off release, rebuilt by ``irbc rehydrate`` with it). ``irbc validate``
checks every view against its tables (``check_view``); the manifest covers its file like any other."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from irbc.annotators.curated import CuratedMentions
from irbc.annotators.stances import CuratedStances
from irbc.core.arrow import arrow_schema
from irbc.core.tables import RowStream, TableStore, table_path, write_pieces
from irbc.release.exporters import ExportContext, exporter

# the source tables are read a piece at a time (the files do not depend on it: write_pieces regroups the rows).
# On the 10 k release the views alone peaked at 611-646 MB with 8 MB pieces, 706-717 MB with 32 MB, in the same time
PIECE_BYTES = 8 << 20
BATCH_ROWS = 4096  # rows turned into Python objects at once


@dataclass(frozen=True)
class View:
    name: str  # its Hugging Face config and its folder under data/
    schema: str  # the schema its rows have: its table's, or schema/<name>.schema.json of its own
    summary: str  # what its rows are, in Markdown, for the card and the name of validate's check
    pieces: Callable[[TableStore], Iterator[pa.Table]]  # its rows, a piece at a time, in order
    annotator: str | None = None  # a layer view: the rows of this annotator of ``schema``'s table

    @property
    def check_name(self) -> str:
        return f"view equals {self.summary.replace('`', '')}"


def _layer(table: str, annotator: str) -> Callable[[TableStore], Iterator[pa.Table]]:
    def pieces(tables: TableStore) -> Iterator[pa.Table]:
        for p in tables.slices(table, PIECE_BYTES):
            data = tables.read_slice(table, p)
            yield data.filter(pc.equal(data["annotator"], annotator))

    return pieces


STANCE_COLUMNS = [
    "stance_id",
    "doc_id",
    "target_id",
    "holder",
    "attribution",
    "stance",
    "annotator",
    "evidence",
]


def _stance_batches(tables: TableStore, columns: list[str]) -> Iterator[pa.Table]:
    """The stances' ``columns``, at most BATCH_ROWS rows at a time (a piece read from disk is whole row groups)."""
    for p in tables.slices("stances", PIECE_BYTES):
        data = tables.read_slice("stances", p, columns)
        for off in range(0, data.num_rows, BATCH_ROWS):
            yield data.slice(off, BATCH_ROWS)


def _evidence_pairs(stances: pa.Table) -> tuple[pa.Array, pa.Array]:
    """(row, sentence_id) of each stance's sentence ids, each once per stance, in order of first appearance in
    its evidence; the rows in order. Computed on the columns: the evidence lists flattened twice, the first
    position of each pair kept (a group-by), the pairs sorted by it."""
    evidence = stances["evidence"].combine_chunks()
    items = pc.list_flatten(evidence)
    ids = pc.struct_field(items, "sentence_ids")
    sentence = pc.list_flatten(ids)
    row = pc.take(pc.list_parent_indices(evidence), pc.list_parent_indices(ids))
    pairs = pa.table({"row": row, "sid": sentence, "pos": pa.array(range(len(sentence)), pa.int64())})
    first = pairs.group_by(["row", "sid"], use_threads=False).aggregate([("pos", "min")])
    first = first.sort_by("pos_min")
    return first["row"].combine_chunks(), first["sid"].combine_chunks()


def _wanted_sentences(tables: TableStore) -> dict[str, set[str]]:
    """doc_id -> the sentence ids the evidence of its stances names (a function of its own, so that no slice of
    the stances outlives the pass: a slice holds its whole piece)."""
    wanted: dict[str, set[str]] = {}
    for batch in _stance_batches(tables, ["doc_id", "evidence"]):
        row, sid = _evidence_pairs(batch)
        for d, s in zip(pc.take(batch["doc_id"], row).to_pylist(), sid.to_pylist(), strict=True):
            wanted.setdefault(d, set()).add(s)
    return wanted


def _sentence_texts(tables: TableStore, wanted: dict[str, set[str]]) -> dict[tuple[str, str], str | None]:
    """(doc_id, sentence_id) -> the sentence's text in that document's text (None where it is withheld), for
    the wanted sentences of each document only: sentences and documents are read a piece at a time, and only
    their wanted rows become Python objects."""
    every = pa.array(sorted(set().union(*wanted.values())), pa.string())
    docs = pa.array(sorted(wanted), pa.string())
    spans: dict[str, tuple[int, int]] = {}
    for p in tables.slices("sentences", PIECE_BYTES):
        data = tables.read_slice("sentences", p, ["sentence_id", "start", "end"])
        data = data.filter(pc.is_in(data["sentence_id"], value_set=every)).to_pydict()
        spans.update(zip(data["sentence_id"], zip(data["start"], data["end"], strict=True), strict=True))
    out: dict[tuple[str, str], str | None] = {}
    for p in tables.slices("documents", PIECE_BYTES):
        data = tables.read_slice("documents", p, ["doc_id", "text"])
        ids, texts = data["doc_id"], data["text"]
        for k in pc.indices_nonzero(pc.is_in(ids, value_set=docs)).to_pylist():  # no copy of the texts
            d, text = ids[k].as_py(), texts[k].as_py()  # one document's text at a time as a Python string
            for sid in wanted[d]:
                a, b = spans[sid]
                out[(d, sid)] = None if text is None else text[a:b]
    return out


def _stance_sentence_pieces(tables: TableStore) -> Iterator[pa.Table]:
    """One row per stance and sentence of its evidence (first appearance, in stance order), with the sentence's
    text from documents.text (null where the text is withheld). Stances are read twice a piece at a time (which
    sentences are wanted, then the rows, a piece per piece of stances); of the sentences and the documents only
    the wanted sentences' texts are kept."""
    wanted = _wanted_sentences(tables)
    texts = _sentence_texts(tables, wanted)
    del wanted
    schema = arrow_schema("stance_sentences")
    for batch in _stance_batches(tables, STANCE_COLUMNS):
        row, sid = _evidence_pairs(batch)
        cols = {c: pc.take(batch[c], row) for c in STANCE_COLUMNS if c != "evidence"}
        cols["sentence_id"] = sid
        sentence = [texts.get(k) for k in zip(cols["doc_id"].to_pylist(), sid.to_pylist(), strict=True)]
        cols["sentence"] = pa.array(sentence, schema.field("sentence").type)
        yield pa.Table.from_arrays([cols[f.name] for f in schema], schema=schema)


CURATED_MENTIONS = View(
    "concept_mentions_curated",
    CuratedMentions.table,
    f"the `{CuratedMentions.name}` rows of `{CuratedMentions.table}`",
    _layer(CuratedMentions.table, CuratedMentions.name),
    CuratedMentions.name,
)
STANCE_SENTENCES = View(
    "stance_sentences",
    "stance_sentences",
    "a row per stance and sentence of its evidence, from `stances`, `sentences` and `documents`",
    _stance_sentence_pieces,
)
CURATED_STANCES = View(
    "stances_curated",
    CuratedStances.table,
    f"the `{CuratedStances.name}` rows of `{CuratedStances.table}` (without the blind second pass)",
    _layer(CuratedStances.table, CuratedStances.name),
    CuratedStances.name,
)
VIEWS = (CURATED_MENTIONS, CURATED_STANCES, STANCE_SENTENCES)


def view_file(v: View) -> str:
    """The release path of a view's Parquet file."""
    return str(table_path(Path("data"), v.name))


def derive(tables: TableStore, v: View) -> pa.Table:
    """The view's rows, computed from its tables."""
    parts = list(v.pieces(tables))
    return pa.concat_tables(parts) if parts else arrow_schema(v.schema).empty_table()


def check_view(tables: TableStore, release: Path, v: View) -> list[str]:
    """Problems of a release's view file: it must hold exactly the rows ``derive`` computes from its tables (read
    a piece at a time from both files)."""
    path = release / view_file(v)
    if not path.is_file():
        return [f"{view_file(v)} is missing"]
    f = pq.ParquetFile(path)
    if f.schema_arrow != arrow_schema(v.schema):
        return [f"{view_file(v)}: its schema is not {v.schema}'s"]
    got = RowStream(f.schema_arrow, f.iter_batches())
    done = 0
    what = v.summary.replace("`", "")
    for want in v.pieces(tables):
        try:
            have = got.take(want.num_rows)
        except ValueError:
            return [f"{view_file(v)} has fewer rows than {what}"]
        if not have.equals(want):
            return [f"{view_file(v)} differs from {what} (after row {done})"]
        done += want.num_rows
    if f.metadata.num_rows != done:
        return [f"{view_file(v)} has {f.metadata.num_rows} rows, {what} gives {done}"]
    return []


@exporter(
    "views_v1",
    *(view_file(v) for v in VIEWS),
    description="derived views, each its own config: "
    + "; ".join(f"{v.name} ({v.summary.replace('`', '')})" for v in VIEWS),
    report_free=True,
)
def write_views(release: Path, ctx: ExportContext) -> None:
    for v in VIEWS:  # a piece at a time: the bytes of writing derive()'s whole table
        write_pieces(v.pieces(ctx.result.tables), v.schema, release / view_file(v))
