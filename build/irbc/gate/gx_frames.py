"""The pandas frames great-expectations validates: a piece of a table, read as the columns its suite names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from irbc.core.tables import TableStore

# the keyword arguments of an expectation that name a column of the frame, and those that name none
COLUMN_KWARGS = ("column", "column_A", "column_B")
VALUE_KWARGS = frozenset(
    {"value_set", "regex_list", "min_value", "max_value", "mostly", "or_equal", "strictly"}
)
KNOWN_KWARGS = VALUE_KWARGS.union(COLUMN_KWARGS)


def frame_columns(tables: TableStore, t: str, specs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The columns of table ``t`` that the expectations ``specs`` read, in the table's order (doc_id when they
    read ``_doc_len``, which is made from it; the first column when they name none, so the frame keeps its row
    count). Only these are read: a column no expectation reads (a paragraph's text) costs a piece memory and
    time and cannot change a check. An expectation with any other keyword argument (``column_list``,
    ``row_condition``, ...) or about the table's columns themselves gets every column."""
    names = tables.schema(t).names
    if any(set(kw) - KNOWN_KWARGS or etype.startswith("expect_table_column") for etype, kw in specs):
        return names
    named = {kw[k] for _, kw in specs for k in COLUMN_KWARGS if k in kw}
    if "_doc_len" in named:
        named.add("doc_id")
    return [c for c in names if c in named] or names[:1]


def gx_frame(docs: Any, t: str, tbl: Any) -> Any:
    """The pandas frame great-expectations validates for a piece ``tbl`` of table ``t`` (columns stay
    Arrow-backed, so text is not copied into Python objects). Span tables get ``_doc_len``, the length of their
    document's clean text (from ``docs``: documents' doc_id and clean_chars), so offsets can be bounded by it."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if "doc_id" in tbl.column_names and t != "documents":
        idx = pc.index_in(tbl["doc_id"], value_set=docs["doc_id"].combine_chunks())
        doc_len = pc.fill_null(pc.take(docs["clean_chars"].combine_chunks(), idx), -1)
        tbl = tbl.append_column("_doc_len", pa.array(doc_len, pa.int64()))
    return tbl.to_pandas(types_mapper=pd.ArrowDtype, split_blocks=True, self_destruct=False)
