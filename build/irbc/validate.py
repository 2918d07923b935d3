"""The validation gate: jsonschema on every record, great-expectations on every table, cross-table integrity.

``validate_tables`` runs on in-memory tables before a release is written; ``validate_release`` reads any
release folder (including one downloaded later) and runs the same checks plus the manifest checksums.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .errors import InputError, ValidationFailed
from .io import fold_diacritics, sha256_file
from .schema import TABLES, load_schema, schema_dir, validator
from .tables import TableStore, table_path

MAX_EXAMPLES = 5


@dataclass
class Check:
    name: str
    table: str
    kind: str  # jsonschema | great_expectations | integrity | manifest
    passed: bool
    checked: int = 0
    failed: int = 0
    examples: list[str] = field(default_factory=list)

    def line(self) -> str:
        ex = "; ".join(self.examples[:3])
        return f"[{self.kind}] {self.table}: {self.name} — {self.failed} failing" + (
            f" (e.g. {ex})" if ex else ""
        )


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    @property
    def n_checks(self) -> int:
        return len(self.checks)

    def failure(self) -> ValidationFailed:
        return ValidationFailed([c.line() for c in self.failures])

    def to_json(self) -> dict[str, Any]:
        by_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"checks": 0, "failed": 0})
        for c in self.checks:
            by_kind[c.kind]["checks"] += 1
            by_kind[c.kind]["failed"] += 0 if c.passed else 1
        return {
            "passed": self.passed,
            "n_checks": self.n_checks,
            "n_failed": len(self.failures),
            "by_kind": dict(sorted(by_kind.items())),
            "checks": [asdict(c) for c in self.checks],
        }


def merge_checks(parts: list[list[Check]]) -> list[Check]:
    """Merge the checks that ran on separate slices of the documents (worker chunks) into one check each:
    counts add up, a check passes only if it passed everywhere, examples are kept up to MAX_EXAMPLES."""
    merged: dict[tuple[str, str, str], Check] = {}
    for checks in parts:
        for c in checks:
            m = merged.get((c.kind, c.table, c.name))
            if m is None:
                merged[(c.kind, c.table, c.name)] = Check(
                    c.name, c.table, c.kind, c.passed, c.checked, c.failed, list(c.examples)
                )
                continue
            m.passed = m.passed and c.passed
            m.checked += c.checked
            m.failed += c.failed
            m.examples = (m.examples + c.examples)[:MAX_EXAMPLES]
    return list(merged.values())


# ------------------------------------------------------------------------------------------ jsonschema
@cache
def fast_validator(table: str) -> Any:
    """fastjsonschema compiled from the same schema file: the per-record fast path (~0.5M records/s).
    tests/test_schema.py proves it enforces every keyword the table schemas use."""
    import fastjsonschema

    return fastjsonschema.compile(load_schema(table))


def jsonschema_checks(tables: dict[str, list[dict[str, Any]]], only: tuple[str, ...] = TABLES) -> list[Check]:
    """Every record of every table (of ``only``) against its schema. Rows go through the compiled fast
    validator; a row it rejects is re-validated with the reference ``jsonschema`` to report every error with its
    JSON pointer."""
    import fastjsonschema

    out = []
    for table in only:
        rows = tables.get(table)
        if rows is None:
            out.append(Check("table present", table, "jsonschema", False, 0, 1, [f"table {table} missing"]))
            continue
        fast = fast_validator(table)
        ref = validator(table)
        key = load_schema(table)["x-primary-key"]
        c = Check("every record valid against schema", table, "jsonschema", True, len(rows))
        for i, row in enumerate(rows):
            try:
                fast(row)
                continue
            except fastjsonschema.JsonSchemaValueException:
                pass
            errors = list(ref.iter_errors(row)) or [None]
            for err in errors:
                c.failed += 1
                if len(c.examples) < MAX_EXAMPLES:
                    if err is None:  # the two validators disagree: report it rather than hide it
                        c.examples.append(f"row {row.get(key, i)!s}: rejected by fastjsonschema only")
                        continue
                    pointer = "/" + "/".join(str(p) for p in err.absolute_path)
                    c.examples.append(f"row {row.get(key, i)!s} {pointer}: {err.message[:160]}")
        c.passed = c.failed == 0
        out.append(c)
    return out


# ------------------------------------------------------------------------------------------ great expectations
def validation_dir() -> Path:
    return schema_dir().parent / "validation"


@cache
def _suites_config() -> dict[str, Any]:
    from .yamlio import load_data

    data: dict[str, Any] = load_data(validation_dir() / "expectations.yaml")
    return data


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_"))


GX_SLICE_BYTES = 32 << 20  # a suite validates a large table in pieces of about this size (memory stays flat)
GX_TASKS_PER_PROCESS = 4
UNIQUE = "expect_column_values_to_be_unique"


def _gx_frame(docs: Any, t: str, tbl: Any) -> Any:
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


_GX_STATE: Any = None  # (tables, specs, document lengths) shared with forked worker processes
_ASSET_IDS = itertools.count()  # asset names stay unique when a process validates more than once


@cache
def _gx_source() -> Any:
    """One ephemeral great-expectations context and pandas source per process, progress bars off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.execution_engine import pandas_execution_engine

    # great-expectations fingerprints every pandas batch it is given (hash_pandas_object, or a pickle of the
    # whole frame when a column holds lists) for the batch's metadata, which this gate never reads: most of
    # a suite's time and memory on a large piece. It skips frames over HASH_THRESHOLD bytes; 0 skips them all.
    # The expectations and their results are unaffected.
    pandas_execution_engine.HASH_THRESHOLD = 0
    ctx = gx.get_context(mode="ephemeral")
    try:  # no progress bars in a build log
        from great_expectations.data_context.types.base import ProgressBarsConfig

        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    except Exception:  # pragma: no cover - older/newer layout
        pass
    return ctx.data_sources.add_pandas("irbc")


def prepare_gate() -> None:
    """Import great-expectations and set its context up in this process ahead of the gate (about 1.7 s); the
    processes that run the suites are forked from it and inherit both."""
    import gc

    _gx_source()
    # what is loaded so far lives as long as this process: keep it out of the collector's passes here and in
    # every process forked from now on (their collections would otherwise walk, and copy, these pages too)
    gc.freeze()


def _suite_specs(t: str, tables: TableStore, regexes: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """The suite of one table: expectations derived from its schema, then validation/expectations.yaml."""
    cfg = _suites_config()
    schema = load_schema(t)
    specs: list[tuple[str, dict[str, Any]]] = [
        ("expect_column_values_to_be_unique", {"column": schema["x-primary-key"]})
    ]
    for col, prop in schema["properties"].items():
        types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
        if "null" not in types:
            specs.append(("expect_column_values_to_not_be_null", {"column": col}))
        if "enum" in prop:
            specs.append(("expect_column_values_to_be_in_set", {"column": col, "value_set": prop["enum"]}))
    if regexes:
        for col in cfg["text_columns"].get(t, []):
            specs.append(
                (
                    "expect_column_values_to_not_match_regex_list",
                    {"column": col, "regex_list": [f"(?m){r}" for r in regexes]},
                )
            )
    for item in cfg["suites"].get(t) or []:
        ((etype, kwargs),) = item.items()
        kw = dict(kwargs)
        for k, v in list(kw.items()):
            if isinstance(v, dict) and "from" in v:
                ft, fc = v["from"].split(".")
                kw[k] = sorted({x for x in tables.read(ft, [fc])[fc].to_pylist() if x is not None})
        specs.append((etype, kw))
    return specs


def _validate_frame(t: str, frame: Any, specs: list[tuple[str, dict[str, Any]]]) -> list[Check]:
    import great_expectations as gx

    source = _gx_source()  # the context must exist before a suite is made
    suite = gx.ExpectationSuite(name=t)
    for etype, kw in specs:
        suite.add_expectation(getattr(gx.expectations, _camel(etype))(**kw))
    name = f"{t}-{next(_ASSET_IDS)}"
    asset = source.add_dataframe_asset(name)
    batch = asset.add_batch_definition_whole_dataframe(name).get_batch(batch_parameters={"dataframe": frame})
    res = batch.validate(suite, result_format="SUMMARY")
    out = []
    for r in res.results:
        conf = r.expectation_config
        assert conf is not None
        kw = {k: v for k, v in conf.kwargs.items() if k not in ("batch_id", "value_set", "regex_list")}
        name = conf.type + (" " + json.dumps(kw, sort_keys=True, default=str) if kw else "")
        result = r.result or {}
        ex = [str(x)[:120] for x in (result.get("partial_unexpected_list") or [])[:MAX_EXAMPLES]]
        if not r.success and r.exception_info and r.exception_info.get("raised_exception"):
            ex.append(str(r.exception_info.get("exception_message"))[:200])
        out.append(
            Check(
                name,
                t,
                "great_expectations",
                bool(r.success),
                int(result.get("element_count") or len(frame)),
                int(result.get("unexpected_count") or (0 if r.success else 1)),
                ex,
            )
        )
    return out


def _unique_key(tables: TableStore, t: str, specs: list[tuple[str, dict[str, Any]]]) -> list[Check]:
    """Primary-key uniqueness over the whole table. Each id is replaced by its dense rank (equal ids get equal
    ranks, so the ranks are unique exactly when the ids are): great-expectations then compares integers, several
    times faster and smaller than millions of strings, and ranking sorts the column in place of a hash table
    over it (about a tenth of the memory of dictionary encoding). Failing examples are shown as the ids."""
    import pandas as pd
    import pyarrow.compute as pc

    key = load_schema(t)["x-primary-key"]
    col = tables.read(t, [key])[key]
    nulls = pc.is_null(col)
    ranks = pc.rank(col, sort_keys="ascending", tiebreaker="dense").cast("int64")
    # a null id stays null (the not-null expectation reports it)
    frame = pd.DataFrame(
        {key: pd.arrays.IntegerArray(ranks.to_numpy(), nulls.to_numpy(zero_copy_only=False))}
    )
    checks = _validate_frame(t, frame, specs)

    def shown(x: str) -> str:
        i = pc.index(ranks, int(x)).as_py() if x.isdigit() else -1
        return str(col[i].as_py()) if i >= 0 else x

    for c in checks:
        c.examples = [shown(x) for x in c.examples]
    return checks


def _run_task(task: tuple[str, Any]) -> list[Check]:
    """One piece of great-expectations work (in this process or a forked worker): the primary-key uniqueness
    of a whole table (read as that one column), or every other expectation of the suite on one piece of the
    table. Every expectation but uniqueness is row by row, so the pieces' results add up to the whole table's."""
    tables, specs, docs = _GX_STATE
    t, piece = task
    if piece == "key":
        return _unique_key(tables, t, [s for s in specs[t] if s[0] == UNIQUE])
    rowwise = [s for s in specs[t] if s[0] != UNIQUE]
    return _validate_frame(t, _gx_frame(docs, t, tables.read_slice(t, piece)), rowwise)


def gx_checks(tables: TableStore, probes: dict[str, str], workers: int = 1) -> list[Check]:
    """One great-expectations suite per table, run in pieces of about GX_SLICE_BYTES read from the store (so
    memory does not grow with the corpus); with ``workers`` > 1 the pieces run on forked processes. The checks
    come back in table and suite order, so the report does not depend on either."""
    global _GX_STATE
    regexes = [p for _, p in sorted(probes.items())]
    specs = {t: _suite_specs(t, tables, regexes) for t in TABLES}
    tasks: list[tuple[str, Any]] = []
    for t in TABLES:
        tasks.append((t, "key"))
        tasks += [(t, piece) for piece in tables.slices(t, GX_SLICE_BYTES)]
    _GX_STATE = (tables, specs, tables.read("documents", ["doc_id", "clean_chars"]))
    try:
        import multiprocessing as mp

        big = sum(tables.size(t) for t in TABLES) > GX_SLICE_BYTES
        if (workers > 1 or big) and "fork" in mp.get_all_start_methods():
            # pieces run in forked processes that are replaced every few pieces: what great-expectations
            # allocates goes with them, so memory stays flat however many pieces a large release has (small
            # releases run in this process)
            _gx_source()  # set up once here; the forked processes inherit it
            with mp.get_context("fork").Pool(max(1, workers), maxtasksperchild=GX_TASKS_PER_PROCESS) as pool:
                results = pool.map(_run_task, tasks, chunksize=1)
        else:
            results = [_run_task(task) for task in tasks]
    finally:
        _GX_STATE = None
    out: list[Check] = []
    for t in TABLES:  # per table: uniqueness first, then the pieces merged, in suite order
        mine = [r for (tt, _), r in zip(tasks, results, strict=True) if tt == t]
        out += mine[0] + merge_checks(mine[1:])
    return out


# ------------------------------------------------------------------------------------------ integrity
def _check(name: str, table: str, checked: int, problems: list[str]) -> Check:
    return Check(name, table, "integrity", not problems, checked, len(problems), problems[:MAX_EXAMPLES])


@cache
def foreign_keys() -> tuple[tuple[str, str, str, str], ...]:
    """(table, column, referenced table, referenced column), as declared by ``x-references`` in schema/."""
    out = []
    for t in TABLES:
        for col, prop in load_schema(t)["properties"].items():
            if "x-references" in prop:
                rt, rc = prop["x-references"].split(".")
                out.append((t, col, rt, rc))
    return tuple(out)


def foreign_key_checks(tables: dict[str, list[dict[str, Any]]]) -> list[Check]:
    """Every declared reference resolves; a reference from a row of one document to a section, paragraph or
    note must land in the same document."""
    out = []
    index: dict[tuple[str, str], dict[Any, Any]] = {}
    for t, col, rt, rc in foreign_keys():
        if (rt, rc) not in index:
            index[(rt, rc)] = {r[rc]: r.get("doc_id") for r in tables[rt]}
        idx = index[(rt, rc)]
        same_doc = col != "doc_id" and "doc_id" in load_schema(rt)["properties"]
        key = load_schema(t)["x-primary-key"]
        probs, n = [], 0
        for r in tables[t]:
            v = r[col]
            if v is None:
                continue
            n += 1
            if v not in idx:
                probs.append(f"{r[key]}: {col} {v!r} is not in {rt}.{rc}")
            elif same_doc and idx[v] != r["doc_id"]:
                probs.append(f"{r[key]}: {col} {v!r} belongs to document {idx[v]!r}, not {r['doc_id']!r}")
        name = f"{col} references {rt}.{rc}" + (" of the same document" if same_doc else "")
        out.append(_check(name, t, n, probs))
    return out


def integrity_checks(tables: dict[str, list[dict[str, Any]]], summary: dict[str, Any] | None) -> list[Check]:
    """Cross-table checks over record dicts. Every check but the foreign keys into the global tables (concepts,
    stance_targets) concerns one document at a time, so the build runs them per chunk of documents in its
    workers and merges the results (``merge_checks``)."""
    docs = {d["doc_id"]: d for d in tables["documents"]}
    texts = {k: d["text"] for k, d in docs.items() if d["text"] is not None}
    out = foreign_key_checks(tables)

    # every stored span text equals documents.text[start:end]
    for table, col in (("paragraphs", "text"), ("notes", "text"), ("concept_mentions", "surface")):
        probs = []
        for r in tables[table]:
            t = texts.get(r["doc_id"])
            if t is not None and r[col] is not None and t[r["start"] : r["end"]] != r[col]:
                probs.append(
                    f"{r.get('paragraph_id') or r.get('note_id') or r.get('mention_id')} at {r['start']}-{r['end']}"
                )
        out.append(_check(f"{col} == documents.text[start:end]", table, len(tables[table]), probs))
    probs = []
    n = 0
    for s in tables["stances"]:
        t = texts.get(s["doc_id"])
        for ev in s["evidence"]:
            n += 1
            if t is not None and ev["quote"] is not None and t[ev["start"] : ev["end"]] != ev["quote"]:
                probs.append(f"{s['stance_id']} evidence at {ev['start']}-{ev['end']}")
    out.append(_check("evidence quote == documents.text[start:end]", "stances", n, probs))

    # every document has at least one section and one paragraph; sections tile the text
    by_doc: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for t in ("sections", "paragraphs", "notes", "removed", "concept_mentions", "stances"):
        for r in tables[t]:
            by_doc[r["doc_id"]][t].append(r)
    probs = [
        f"{d} has no sections or no paragraphs"
        for d in docs
        if not by_doc[d]["sections"] or not by_doc[d]["paragraphs"]
    ]
    out.append(_check("every document has sections and paragraphs", "documents", len(docs), probs))
    orphans = sorted(set(by_doc) - set(docs))
    out.append(
        _check(
            "no rows for a document missing from documents",
            "documents",
            len(by_doc),
            [f"rows for unknown document {d!r}" for d in orphans],
        )
    )

    probs_sec, probs_par = [], []
    for d, doc in docs.items():
        secs = sorted(by_doc[d]["sections"], key=lambda s: s["position"])
        length = doc["clean_chars"]
        text = texts.get(d)
        pos = 0
        for i, s in enumerate(secs):
            if s["start"] != (0 if i == 0 else pos + 2) or (
                text is not None and i and text[pos : s["start"]] != "\n\n"
            ):
                probs_sec.append(
                    f"{s['section_id']} starts at {s['start']}, expected {0 if i == 0 else pos + 2}"
                )
            pos = s["end"]
        if secs and pos != length:
            probs_sec.append(f"{d}: sections end at {pos}, text length {length}")
        units: dict[str, list[tuple[int, int, str, str | None]]] = defaultdict(list)
        for p in by_doc[d]["paragraphs"]:
            units[p["section_id"]].append((p["start"], p["end"], p["paragraph_id"], None))
        for nt in by_doc[d]["notes"]:
            units[nt["section_id"]].append((nt["start"], nt["end"], nt["note_id"], nt["label"]))
        for s in secs:
            us = sorted(units.get(s["section_id"], []))
            if not us:
                probs_par.append(f"{s['section_id']} has no paragraphs or notes")
                continue
            prev = s["start"]
            for j, (a, b, uid, label) in enumerate(us):
                gap = (a - prev) if j == 0 else (a - prev - 2)
                ok_gap = gap == 0 or (label is not None and gap > 0)
                if text is not None and ok_gap and gap > 0:
                    lead = text[a - gap : a]
                    ok_gap = bool(re.fullmatch(r"\S+ ", lead))
                if j and text is not None and text[prev : prev + 2] != "\n\n":
                    ok_gap = False
                if not ok_gap:
                    probs_par.append(f"{uid} at {a} does not follow {prev} in {s['section_id']}")
                prev = b
            if prev != s["end"]:
                probs_par.append(f"{s['section_id']}: units end at {prev}, section ends at {s['end']}")
    out.append(_check("sections tile the document text", "sections", len(tables["sections"]), probs_sec))
    probs = []
    first_para: dict[str, dict[str, Any]] = {}
    for para in sorted(tables["paragraphs"], key=lambda r: r["start"]):
        first_para.setdefault(para["section_id"], para)
    for s in tables["sections"]:
        if s["heading"] is None:
            continue
        hp = first_para.get(s["section_id"])
        text = texts.get(s["doc_id"])
        if (
            hp is None
            or hp["kind"] != "heading"
            or hp["start"] != s["start"]
            or (text is not None and text[hp["start"] : hp["end"]] != s["heading"])
        ):
            probs.append(
                f"{s['section_id']}: heading {s['heading'][:60]!r} is not the section's heading paragraph"
            )
    out.append(
        _check("section heading == its heading paragraph's text", "sections", len(tables["sections"]), probs)
    )
    out.append(
        _check("paragraphs and notes tile their section", "paragraphs", len(tables["paragraphs"]), probs_par)
    )

    # the audit balances: kept + removed = raw, exactly (the raw text is rebuilt and hashed)
    probs = []
    for d, doc in docs.items():
        text = texts.get(d)
        rows = sorted(by_doc[d]["removed"], key=lambda r: r["position"])
        if text is None or any(r["text"] is None for r in rows):
            continue
        raw_parts, cpos, rpos = [], 0, 0
        for r in rows:
            kept = text[cpos : r["clean_offset"]]
            raw_parts.append(kept)
            rpos += len(kept)
            if r["raw_start"] != rpos or r["raw_end"] - r["raw_start"] != len(r["text"]):
                probs.append(
                    f"{r['removal_id']}: raw offsets {r['raw_start']}-{r['raw_end']} do not tile the raw file"
                )
                break
            if text[r["clean_offset"] : r["clean_offset"] + len(r["replacement"])] != r["replacement"]:
                probs.append(f"{r['removal_id']}: replacement not found at clean offset {r['clean_offset']}")
                break
            raw_parts.append(r["text"])
            rpos += len(r["text"])
            cpos = r["clean_offset"] + len(r["replacement"])
        raw_parts.append(text[cpos:])
        raw = "".join(raw_parts)
        if hashlib.sha256(raw.encode("utf-8")).hexdigest() != doc["raw_sha256"]:
            probs.append(f"{d}: clean text + audit does not rebuild the raw file (SHA-256 differs)")
        if len(raw) != doc["raw_chars"]:
            probs.append(f"{d}: rebuilt raw has {len(raw)} characters, expected {doc['raw_chars']}")
    out.append(
        _check(
            "audit balances: kept + removed spans rebuild the raw file (SHA-256)",
            "removed",
            len(tables["removed"]),
            probs,
        )
    )

    # each callout points to a note of the same document and reads as that note's marker
    probs = []
    n = 0
    paras = {p["paragraph_id"]: p for p in tables["paragraphs"]}
    for nt in tables["notes"]:
        t = texts.get(nt["doc_id"])
        for c in nt["callouts"]:
            n += 1
            cp = paras.get(c["paragraph_id"])
            if (
                cp is None
                or cp["doc_id"] != nt["doc_id"]
                or not (cp["start"] <= c["start"] < c["end"] <= cp["end"])
            ):
                probs.append(
                    f"{nt['note_id']}: callout {c['start']}-{c['end']} not inside a paragraph of {nt['doc_id']}"
                )
                continue
            if t is None:
                continue
            marker = t[c["start"] : c["end"]]
            if nt["label"] is not None and marker != nt["label"]:
                probs.append(f"{nt['note_id']}: callout {marker!r} does not point to note {nt['label']!r}")
            if (
                nt["label"] is None
                and nt["text"]
                and fold_diacritics(marker.split()[0].strip("(,")) not in fold_diacritics(nt["text"][:200])
            ):
                probs.append(f"{nt['note_id']}: citation {marker!r} does not name this reference's author")
    out.append(_check("callouts point to a note of the same document", "notes", n, probs))

    # row counts per document as the build reported them
    if summary is not None:
        probs = []
        for s in summary.get("documents", []):
            d = s["doc_id"]
            for t in ("sections", "paragraphs", "notes"):
                if len(by_doc[d][t]) != s[t]:
                    probs.append(f"{d}: {len(by_doc[d][t])} {t}, build reported {s[t]}")
        out.append(_check("row counts per document match the build summary", "documents", len(docs), probs))

    # stances: every document x target has exactly one author row
    targets = [t["target_id"] for t in tables["stance_targets"]]
    probs = []
    for d in docs:
        if not by_doc[d]["stances"]:
            continue
        for t in targets:
            k = sum(1 for s in by_doc[d]["stances"] if s["target_id"] == t and s["holder"] == "author")
            if k != 1:
                probs.append(f"{d} x {t}: {k} author rows")
    out.append(
        _check(
            "every document x target has exactly one author stance", "stances", len(tables["stances"]), probs
        )
    )
    return out


DOC_TABLES = tuple(t for t in TABLES if t not in ("concepts", "stance_targets"))  # rows belong to a document


def record_checks(
    tables: dict[str, list[dict[str, Any]]],
    summary: dict[str, Any] | None,
    only: tuple[str, ...] = TABLES,
    timings: dict[str, float] | None = None,
) -> list[Check]:
    """The checks that run on record dicts: jsonschema on the tables of ``only``, then integrity (with the
    guard that turns a crash on malformed records into a failing check). ``timings`` receives seconds per
    kind of check."""
    import time

    timings = {} if timings is None else timings
    t0 = time.perf_counter()
    checks = jsonschema_checks(tables, only)
    timings["jsonschema"] = time.perf_counter() - t0
    if all(t in tables for t in TABLES):
        t0 = time.perf_counter()
        checks += _guarded("integrity", lambda: integrity_checks(tables, summary), checks)
        timings["integrity"] = time.perf_counter() - t0
    return checks


# documents whose rows chunked_record_checks turns into record dicts at a time
VALIDATE_CHUNK_DOCS = 256


def document_chunks(tables: TableStore, size: int | None = None) -> Iterator[dict[str, Any]]:
    """The document tables cut into chunks of ``size`` documents (in the documents table's order): one dict of
    Arrow tables per chunk, each holding the rows of that chunk's documents in their original order. Tables in
    document order (as every build writes them) are streamed a row group at a time; a table that is not is
    regrouped in memory. A row whose doc_id names no document goes with the first chunk, where its
    foreign-key check reports it."""
    import numpy as np
    import pyarrow.compute as pc

    from .tables import RowStream

    size = size or VALIDATE_CHUNK_DOCS
    ids = tables.read("documents", ["doc_id"])["doc_id"].combine_chunks()
    n = max(1, -(-len(ids) // size))
    cut: dict[str, tuple[RowStream, Any]] = {}
    for t in DOC_TABLES:
        if "doc_id" in tables.schema(t).names:
            pos = pc.fill_null(pc.index_in(tables.read(t, ["doc_id"])["doc_id"], value_set=ids), 0)
            group = np.asarray(pos.to_numpy(), dtype=np.int64) // size
        else:  # malformed table: all rows in the first chunk (its jsonschema check fails)
            group = np.zeros(tables.num_rows(t), dtype=np.int64)
        if len(group) and (np.diff(group) < 0).any():  # not in document order: regroup, stably
            order = np.argsort(group, kind="stable")
            data = tables.read(t).take(order)
            rows, group = RowStream(data.schema, iter(data.to_batches())), group[order]
        else:
            rows = tables.rows(t)
        cut[t] = (rows, np.searchsorted(group, np.arange(n + 1)))
    for k in range(n):
        yield {t: rows.take(int(b[k + 1] - b[k])) for t, (rows, b) in cut.items()}


def chunked_record_checks(tables: TableStore, summary: dict[str, Any] | None) -> list[Check]:
    """``record_checks`` on a whole release, a chunk of documents at a time (as the build's workers run them),
    merged: only one chunk's rows are ever Python dicts, so a large release is checked in flat memory. The
    global tables are checked once here; their rows accompany every chunk."""
    glob = {t: tables[t].to_pylist() for t in TABLES if t not in DOC_TABLES}
    parts = [jsonschema_checks(glob, tuple(glob))]
    listed = [] if summary is None else list(summary.get("documents", []))
    known = set(tables.read("documents", ["doc_id"])["doc_id"].to_pylist())
    orphans = [x for x in listed if x.get("doc_id") not in known]  # summary entries of no document
    for k, chunk in enumerate(document_chunks(tables)):
        rows = {t: chunk[t].to_pylist() for t in DOC_TABLES}
        mine = None
        if summary is not None:  # this chunk's documents (the orphans go with the first)
            ids = {r["doc_id"] for r in rows["documents"]}
            mine = {"documents": [x for x in listed if x.get("doc_id") in ids] + (orphans if k == 0 else [])}
        parts.append(record_checks({**rows, **glob}, mine, DOC_TABLES))
    return merge_checks(parts)


def _guarded(name: str, run: Any, so_far: list[Check]) -> list[Check]:
    try:
        out: list[Check] = run()
        return out
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if all(c.passed for c in so_far):
            raise  # well-formed records must never crash a check
        return [
            Check(
                f"{name} checks could not run on malformed records ({exc!r})",
                "release",
                name,
                False,
                0,
                1,
                [repr(exc)[:200]],
            )
        ]


def validate_tables(
    tables: TableStore | dict[str, Any],
    summary: dict[str, Any] | None = None,
    probes: dict[str, str] | None = None,
    timings: dict[str, float] | None = None,
    workers: int = 1,
    prechecked: list[Check] | None = None,
) -> Report:
    """Run every content check on Arrow ``tables``. ``prechecked``: the jsonschema and integrity checks the
    build already ran on the document tables in its workers (merged); only the global tables are then
    record-checked here. ``timings`` (if given) receives seconds per kind of check."""
    import time

    timings = {} if timings is None else timings
    if not isinstance(tables, TableStore):
        tables = TableStore(dict(tables))
    report = Report()
    t0 = time.perf_counter()
    if prechecked is not None:
        glob = {t: tables[t].to_pylist() for t in TABLES if t not in DOC_TABLES}
        checks = jsonschema_checks(glob, tuple(glob)) + prechecked
    elif all(t in tables for t in TABLES):
        checks = chunked_record_checks(tables, summary)
    else:
        checks = record_checks({t: tables[t].to_pylist() for t in TABLES if t in tables}, summary)
    # one jsonschema check per table, in table order, whichever path produced it
    report.checks += sorted(
        (c for c in checks if c.kind == "jsonschema"), key=lambda c: TABLES.index(c.table)
    )
    timings["record_checks"] = time.perf_counter() - t0
    if all(t in tables for t in TABLES):
        t0 = time.perf_counter()
        report.checks += _guarded(
            "great_expectations", lambda: gx_checks(tables, probes or {}, workers), report.checks
        )
        timings["great_expectations"] = time.perf_counter() - t0
    report.checks += [c for c in checks if c.kind != "jsonschema"]
    return report


# ------------------------------------------------------------------------------------------ release folder
def read_release_tables(release: Path) -> dict[str, list[dict[str, Any]]]:
    return {t: tbl.to_pylist() for t, tbl in read_release_arrow(release).items()}


def read_release_arrow(release: Path) -> dict[str, Any]:
    store = open_release(release)
    return {t: store.read(t) for t in TABLES}


def open_release(release: Path) -> TableStore:
    """The tables of a release folder, read from its files on access (a piece at a time by the checks). Every
    table file must be there with a readable footer; a read that fails later names its file too."""
    store = TableStore(folder=release / "data")
    for t in TABLES:
        path = table_path(release / "data", t)
        if not path.is_file():
            raise InputError(str(path), None, "missing table file")
        store.schema(t)
    return store


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


REQUIRED_FILES = (
    "manifest.json",
    "build_config.json",
    "build_summary.json",
    "README.md",
    "DATASHEET.md",
    "CITATION.cff",
    "croissant.json",
    "validation_report.json",
)


def manifest_checks(release: Path) -> list[Check]:
    mpath = release / "manifest.json"
    if not mpath.is_file():
        return [Check("manifest.json present", "release", "manifest", False, 0, 1, ["manifest.json missing"])]
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    probs = []
    files = manifest.get("files", {})
    for rel, info in sorted(files.items()):
        p = release / rel
        if not p.is_file():
            probs.append(f"{rel} listed in manifest but missing")
        elif sha256_file(p) != info["sha256"]:
            probs.append(f"{rel}: SHA-256 differs from the manifest (tampered or corrupted)")
        elif p.stat().st_size != info.get("bytes"):
            probs.append(f"{rel}: {p.stat().st_size} bytes, the manifest says {info.get('bytes')}")
        elif p.suffix == ".parquet" and _parquet_rows(p) != info.get("rows"):
            probs.append(f"{rel}: {_parquet_rows(p)} rows, the manifest says {info.get('rows')}")
    on_disk = {str(p.relative_to(release)) for p in release.rglob("*") if p.is_file()} - {"manifest.json"}
    for extra in sorted(on_disk - set(files)):
        probs.append(f"{extra} is not listed in the manifest")
    return [
        Check(
            "files match manifest SHA-256",
            "release",
            "manifest",
            not probs,
            len(files),
            len(probs),
            probs[:MAX_EXAMPLES],
        )
    ]


def validate_release(release: Path, workers: int = 1) -> Report:
    """Every content check plus the manifest checks on a release folder; ``workers`` processes run the
    great-expectations pieces (the report does not depend on it)."""
    release = Path(release)
    if not release.is_dir():
        raise InputError(str(release), None, "release folder does not exist")
    tables = open_release(release)
    summary = probes = None
    bs = release / "build_summary.json"
    if bs.is_file():
        summary = json.loads(bs.read_text(encoding="utf-8"))["summary"]
    bc = release / "build_config.json"
    if bc.is_file():
        probes = json.loads(bc.read_text(encoding="utf-8")).get("noise_probes")
    report = validate_tables(tables, summary, probes, workers=workers)
    missing = [f for f in REQUIRED_FILES if not (release / f).is_file()]
    report.checks.append(
        Check(
            "required release files present",
            "release",
            "manifest",
            not missing,
            len(REQUIRED_FILES),
            len(missing),
            [f"{f} is missing" for f in missing],
        )
    )
    report.checks += manifest_checks(release)
    return report
