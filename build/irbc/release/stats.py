"""Figures for the card and the DATASHEET, computed from the built tables once per build result."""

from __future__ import annotations

from collections import Counter
from typing import Any

from irbc.core.result import BuildResult
from irbc.core.schema import TABLES, columns, table_fields

PIECE_BYTES = 32 << 20  # tables are read a piece of about this size at a time


def counts(tbl: Any, keys: list[str], weight: Any = None) -> Counter[Any]:
    """Row counts (or sums of ``weight``) per value of ``keys``, computed on the Arrow table."""
    if weight is not None:
        tbl = tbl.select(keys).append_column("_w", weight)
        agg = tbl.group_by(keys).aggregate([("_w", "sum")])
        vals = agg["_w_sum"].to_pylist()
    else:
        agg = tbl.select(keys).group_by(keys).aggregate([([], "count_all")])
        vals = agg["count_all"].to_pylist()
    cols = [agg[k].to_pylist() for k in keys]
    out: Counter[Any] = Counter()
    for key, v in zip(zip(*cols, strict=True), vals, strict=True):
        out[key if len(keys) > 1 else key[0]] = v
    return out


def doc_rows(result: BuildResult) -> list[dict[str, Any]]:
    """The documents table as dicts, without the text column (documentation needs only the metadata), read once
    per build result (the card, the DATASHEET, Croissant and the LICENSE list the documents): do not change them."""
    if "doc_rows" not in result.derived:
        cols = [c for c in columns("documents") if c != "text"]
        result.derived["doc_rows"] = result.tables.read("documents", cols).to_pylist()
    rows: list[dict[str, Any]] = result.derived["doc_rows"]
    return rows


def first_row(result: BuildResult, table: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = result.tables.head(table, 1).to_pylist()
    return rows[0] if rows else {}


def stats(result: BuildResult) -> dict[str, Any]:
    """Counts for the card and the DATASHEET, computed once per build result (a pass over the whole text)."""
    if "stats" not in result.derived:
        result.derived["stats"] = _stats(result)
    out: dict[str, Any] = result.derived["stats"]
    return out


def _words(result: BuildResult) -> dict[str, Any]:
    t = result.tables
    words: dict[str, Any] = {}
    for piece in t.slices("documents", PIECE_BYTES):  # the text is read a piece at a time
        batch = t.read_slice("documents", piece, ["doc_id", "text"])
        for d, text in zip(batch["doc_id"].to_pylist(), batch["text"].to_pylist(), strict=True):
            words[d] = len(text.split()) if text is not None else "withheld"
    return words


def _pieces(t: Any, table: str, cols: list[str]) -> Any:
    """The table's columns ``cols``, a piece (row groups of about 32 MB) at a time."""
    for piece in t.slices(table, PIECE_BYTES):
        yield t.read_slice(table, piece, cols)


def _removed_counts(t: Any) -> dict[str, Counter[Any]]:
    """Audit spans and raw characters per (action, reason), spans per action: summed over the pieces."""
    import pyarrow.compute as pc

    out: dict[str, Counter[Any]] = {
        "by_reason": Counter(),
        "chars_by_reason": Counter(),
        "actions": Counter(),
    }
    for removed in _pieces(t, "removed", ["action", "reason", "raw_start", "raw_end"]):
        chars = pc.subtract(removed["raw_end"], removed["raw_start"])
        out["by_reason"].update(counts(removed, ["action", "reason"]))
        out["chars_by_reason"].update(counts(removed, ["action", "reason"], chars))
        out["actions"].update(counts(removed, ["action"]))
    return out


def _mention_counts(t: Any) -> tuple[Counter[Any], Counter[Any]]:
    """Mentions per annotator, curated_v1 mentions per concept: summed over the pieces."""
    import pyarrow.compute as pc

    by_annotator: Counter[Any] = Counter()
    curated: Counter[Any] = Counter()
    for mentions in _pieces(t, "concept_mentions", ["annotator", "concept_id"]):
        by_annotator.update(counts(mentions, ["annotator"]))
        curated.update(counts(mentions.filter(pc.equal(mentions["annotator"], "curated_v1")), ["concept_id"]))
    return by_annotator, curated


def _layer_rows(t: Any, mentions_by_annotator: Counter[Any]) -> dict[tuple[str, str], int]:
    """Rows per annotator layer of every table that has an annotator column."""
    out: dict[tuple[str, str], int] = {}
    for tbl in TABLES:
        if "annotator" not in columns(tbl):
            continue
        if tbl == "concept_mentions":  # counted with the mentions
            n = mentions_by_annotator
        else:
            n = Counter()
            for piece in _pieces(t, tbl, ["annotator"]):
                n.update(counts(piece, ["annotator"]))
        out.update(((tbl, a), v) for a, v in n.items())
    return out


def _stats(result: BuildResult) -> dict[str, Any]:
    """The figures, from the tables' columns a piece at a time (never a whole table)."""
    t = result.tables
    by_annotator, curated = _mention_counts(t)
    return {
        "n_docs": t.num_rows("documents"),
        "words": _words(result),
        "rows": {k: t.num_rows(k) for k in TABLES},
        **_removed_counts(t),
        "mentions_by_annotator": by_annotator,
        "layer_rows": _layer_rows(t, by_annotator),
        "curated_by_concept": curated,
        "stance_labels": counts(_curated_stances(t), ["attribution", "stance"]),
        "diagnostics": Counter(d["code"] for d in result.diagnostics),
    }


def _curated_stances(t: Any) -> Any:
    """The curated_v1 stance rows (the second pass's author labels are counted in the agreement, not here)."""
    import pyarrow.compute as pc

    st = t.read("stances", ["attribution", "stance", "annotator"])
    return st.filter(pc.equal(st["annotator"], "curated_v1"))


def common_values(result: BuildResult, report_json: dict[str, Any]) -> dict[str, Any]:
    """The placeholders the card and the DATASHEET share (and their description blocks may use)."""
    from irbc import DATASET_VERSION
    from irbc.release.citation import citation_placeholders
    from irbc.release.docs import shipped_paths

    st = stats(result)
    genres = ", ".join(
        f"{n} {g.replace('_', ' ')}" for g, n in sorted(Counter(d["genre"] for d in doc_rows(result)).items())
    )
    values: dict[str, Any] = {
        "name": result.description["name"],
        "version": DATASET_VERSION,
        "n_docs": st["n_docs"],
        "genres": genres,
        "n_checks": report_json["n_checks"],
    }
    values.update({f"rows_{t}": n for t, n in st["rows"].items()})
    values.update(citation_placeholders(result.description))
    values["stance_labels"] = ", ".join(f"`{v}`" for v in table_fields("stances")["stance"].enum or ())
    values["stance_layers"] = ", ".join(
        f"{n} by `{a}`" for (tbl, a), n in sorted(st["layer_rows"].items()) if tbl == "stances"
    )
    values.update(shipped_paths())
    return values
