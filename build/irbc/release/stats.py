"""Figures for the card and the DATASHEET, computed from the built tables once per build result."""

from __future__ import annotations

from collections import Counter
from typing import Any

from irbc.core.result import BuildResult
from irbc.core.schema import TABLES, columns, table_fields


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
    """The documents table as dicts, without the text column (documentation needs only the metadata)."""
    rows: list[dict[str, Any]] = result.tables.read(
        "documents", [c for c in columns("documents") if c != "text"]
    ).to_pylist()
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
    for piece in t.slices("documents", 32 << 20):  # the text is read a piece at a time
        batch = t.read_slice("documents", piece).select(["doc_id", "text"])
        for d, text in zip(batch["doc_id"].to_pylist(), batch["text"].to_pylist(), strict=True):
            words[d] = len(text.split()) if text is not None else "withheld"
    return words


def _stats(result: BuildResult) -> dict[str, Any]:
    import pyarrow.compute as pc

    t = result.tables
    removed = t.read("removed", ["action", "reason", "raw_start", "raw_end"])
    mentions = t.read("concept_mentions", ["annotator", "concept_id"])
    curated = mentions.filter(pc.equal(mentions["annotator"], "curated_v1"))
    return {
        "n_docs": t.num_rows("documents"),
        "words": _words(result),
        "rows": {k: t.num_rows(k) for k in TABLES},
        "by_reason": counts(removed, ["action", "reason"]),
        "chars_by_reason": counts(
            removed, ["action", "reason"], pc.subtract(removed["raw_end"], removed["raw_start"])
        ),
        "actions": counts(removed, ["action"]),
        "mentions_by_annotator": counts(mentions, ["annotator"]),
        "layer_rows": {  # rows per annotator layer of every table that has an annotator column
            (tbl, a): n
            for tbl in TABLES
            if "annotator" in columns(tbl)
            for a, n in counts(t.read(tbl, ["annotator"]), ["annotator"]).items()
        },
        "curated_by_concept": counts(curated, ["concept_id"]),
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
