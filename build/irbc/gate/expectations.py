"""great-expectations: one suite per table (expectations derived from schema/, then validation/expectations.yaml),
run in pieces read from the table store, on forked processes for large releases."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from irbc.gate.gx_frames import frame_columns, gx_frame
from irbc.gate.report import MAX_EXAMPLES, Check, merge_checks

if TYPE_CHECKING:
    from irbc.core.tables import TableStore

# the table store and the schemas (pyarrow, jsonschema) are imported where they are used: the CLI imports this
# module to fork the gate process (GateProcess) before anything else, and the gate imports them itself
# (prepare_gate) while great-expectations starts up


def validation_dir() -> Path:
    from irbc.core.schema import schema_dir

    return schema_dir().parent / "validation"


@cache
def _suites_config() -> dict[str, Any]:
    from irbc.core.yamlio import load_data

    data: dict[str, Any] = load_data(validation_dir() / "expectations.yaml")
    return data


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.split("_"))


# a suite validates a large table in pieces of at most this size (whole row groups; one alone if it is larger),
# each read as the columns its expectations name. The 10 k release's suites standalone (2 runs each): peak PSS
# 895-919 MB with pieces that grew until they reached it, with every column; 647-648 MB capped and narrowed
GX_SLICE_BYTES = 32 << 20
# a fresh process per piece: what one piece leaves allocated (pandas, great-expectations' metrics) is not under the
# next one's peak. The 10 k release's suites standalone, 3 runs each: peak PSS 1,136-1,235 MB with 4 pieces per
# process, 947-994 MB with 1, the same time (the process is forked from one already set up)
GX_TASKS_PER_PROCESS = 1
UNIQUE = "expect_column_values_to_be_unique"
# a suite runs first with this result format (None: straight with SUMMARY); see _validate_frame
GX_FIRST_PASS: str | None = "BOOLEAN_ONLY"


_GX_STATE: Any = None  # (tables, specs, document lengths) shared with forked worker processes


def _lazy_module(name: str) -> None:
    """Register module ``name`` to load on its first attribute access (``importlib.util.LazyLoader``).
    great-expectations imports ``scipy.stats`` (about 1.2 s) at start-up only for distribution expectations
    that no suite here uses; if one ever does, the module loads then, unchanged."""
    import importlib.util
    import sys

    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


@cache
def _gx_source() -> Any:
    """One ephemeral great-expectations context and pandas source per process, progress bars off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    _lazy_module("scipy.stats")
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
    """Import great-expectations and set its context up in this process ahead of the gate (about 1.7 s), with
    what the suites need besides (the table store, the schemas, the suites' configuration); the processes that
    run the suites are forked from it and inherit all of it."""
    import gc

    import pyarrow.compute  # noqa: F401  (used by gx_frame and _unique_key)

    import irbc.core.tables  # noqa: F401

    _gx_source()
    _suites_config()
    # what is loaded so far lives as long as this process: keep it out of the collector's passes here and in
    # every process forked from now on (their collections would otherwise walk, and copy, these pages too)
    gc.freeze()


def _suite_specs(t: str, tables: TableStore, regexes: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """The suite of one table: expectations derived from its schema, then validation/expectations.yaml."""
    from irbc.core.schema import load_schema, table_fields

    cfg = _suites_config()
    specs: list[tuple[str, dict[str, Any]]] = [
        ("expect_column_values_to_be_unique", {"column": load_schema(t)["x-primary-key"]})
    ]
    for col, ft in table_fields(t).items():
        if not ft.nullable:
            specs.append(("expect_column_values_to_not_be_null", {"column": col}))
        if ft.enum is not None:
            specs.append(("expect_column_values_to_be_in_set", {"column": col, "value_set": list(ft.enum)}))
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


@cache
def _gx_batches() -> Any:
    """One dataframe asset and batch definition per process, given each frame in turn (registering an asset
    per suite saved the context's configuration every time)."""
    return _gx_source().add_dataframe_asset("irbc").add_batch_definition_whole_dataframe("irbc")


def _validate_frame(t: str, frame: Any, specs: list[tuple[str, dict[str, Any]]]) -> list[Check]:
    """The suite ``specs`` of table ``t`` on ``frame``, one check per expectation.

    The suite runs first with result format BOOLEAN_ONLY (each expectation's success and nothing else: GX then
    computes no unexpected-value lists and counts beyond what success needs, about 40 % of a suite's time). If
    every expectation passed, that is the whole answer: with no ``mostly``, a passing expectation has no
    unexpected values, and its ``element_count`` is the frame's row count (what the check falls back to). If
    any failed, or an expectation has ``mostly`` (it may pass with unexpected values), the suite runs again
    with SUMMARY and the checks come from that run, with their counts and examples."""
    import great_expectations as gx

    _gx_source()  # the context must exist before a suite is made
    suite = gx.ExpectationSuite(name=t)
    for etype, kw in specs:
        suite.add_expectation(getattr(gx.expectations, _camel(etype))(**kw))
    batch = _gx_batches().get_batch(batch_parameters={"dataframe": frame})
    res = None
    if GX_FIRST_PASS is not None and not any("mostly" in kw for _, kw in specs):
        res = batch.validate(suite, result_format=GX_FIRST_PASS)
        if not all(r.success for r in res.results):
            res = None
    if res is None:
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

    from irbc.core.schema import load_schema

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
    whole = isinstance(piece, tuple) and piece[0] == "whole"
    rowwise = specs[t] if whole else [s for s in specs[t] if s[0] != UNIQUE]
    data = tables.read_slice(t, piece[1] if whole else piece, frame_columns(tables, t, rowwise))
    return _validate_frame(t, gx_frame(docs, t, data), rowwise)


def gx_checks(tables: TableStore, probes: dict[str, str], workers: int = 1) -> list[Check]:
    """One great-expectations suite per table, run in pieces of at most GX_SLICE_BYTES of whole row groups read
    from the store (so memory does not grow with the corpus); with ``workers`` > 1 the pieces run on forked
    processes. The checks come back in table and suite order, so the report does not depend on either."""
    from irbc.core.schema import TABLES

    global _GX_STATE
    regexes = [p for _, p in sorted(probes.items())]
    specs = {t: _suite_specs(t, tables, regexes) for t in TABLES}
    tasks: list[tuple[str, Any]] = []
    for t in TABLES:
        pieces = tables.slices(t, GX_SLICE_BYTES, cap=True)
        if len(pieces) == 1:  # a table read in one piece: its whole suite in one validation (the same checks)
            tasks.append((t, ("whole", pieces[0])))
            continue
        tasks.append((t, "key"))
        tasks += [(t, piece) for piece in pieces]
    _GX_STATE = (tables, specs, tables.read("documents", ["doc_id", "clean_chars"]))
    try:
        import multiprocessing as mp

        from irbc.core.memory import trim_memory

        big = sum(tables.size(t) for t in TABLES) > GX_SLICE_BYTES
        if (workers > 1 or big) and "fork" in mp.get_all_start_methods():
            # pieces run in forked processes, a fresh one per piece (GX_TASKS_PER_PROCESS): what great-expectations
            # allocates goes with them, so memory stays flat however many pieces a large release has (small
            # releases run in this process)
            _gx_source()  # set up once here; the forked processes inherit it
            trim_memory()  # and not what this process freed
            pool = mp.get_context("fork").Pool(max(1, workers), maxtasksperchild=GX_TASKS_PER_PROCESS)
            try:
                results = pool.map(_run_task, tasks, chunksize=1)
                # closed and joined, not terminated (what leaving a `with Pool` does): terminate can race the
                # pool's replacing a process that has done its GX_TASKS_PER_PROCESS tasks, and then waits
                # forever for the new one, which it never signalled (seen: a build hung in _terminate_pool)
                pool.close()
                pool.join()
            finally:
                pool.terminate()
        else:
            results = [_run_task(task) for task in tasks]
    finally:
        _GX_STATE = None
    out: list[Check] = []
    for t in TABLES:  # per table: uniqueness first, then the pieces merged, in suite order
        mine = [r for (tt, _), r in zip(tasks, results, strict=True) if tt == t]
        out += mine[0] + merge_checks(mine[1:]) if len(mine) > 1 else mine[0]
    return out


class GateProcess:
    """great-expectations imported and set up in a process forked at build start, so its start-up (about 2 s)
    overlaps the document work of a single-process build; ``gx_checks`` then runs there on the tables the
    build wrote (read from their folder) and the checks come back. ``submit`` sends the request ahead, so the
    build can write what needs no report while the suites run. Without fork, everything runs here."""

    def __init__(self) -> None:
        import multiprocessing as mp

        self._conn: Any = None
        self._pending: tuple[Any, ...] | None = None  # the request sent by submit, not yet answered
        self._asked = False  # a request was sent
        if "fork" in mp.get_all_start_methods():
            ctx = mp.get_context("fork")
            self._conn, child = ctx.Pipe()
            self._proc = ctx.Process(target=_serve, args=(child, self._conn), daemon=False)
            self._proc.start()
            child.close()

    def submit(self, tables: TableStore, probes: dict[str, str], workers: int = 1) -> None:
        """Send the gate process its request and return at once: the suites run there from now on, and
        ``gx_checks`` with the same arguments waits for their checks."""
        if self._conn is None or tables.folder is None or self._pending is not None:
            return
        try:
            self._asked = True
            self._conn.send((tables.folder, probes, workers))
        except OSError:  # the process has gone: gx_checks runs the suites here
            self.close()
            return
        self._pending = (tables.folder, dict(probes), workers)

    def gx_checks(self, tables: TableStore, probes: dict[str, str], workers: int = 1) -> list[Check]:
        if self._conn is None or tables.folder is None:
            return gx_checks(tables, probes, workers)
        request = (tables.folder, dict(probes), workers)
        if self._pending is not None and self._pending != request:  # it serves one request: not this one
            return gx_checks(tables, probes, workers)
        try:
            if self._pending is None:
                self._asked = True
                self._conn.send(request)
            self._pending = None
            ok, got = self._conn.recv()
        except (EOFError, OSError):  # the process has gone (killed, or asked twice): run the suites here
            self.close()
            return gx_checks(tables, probes, workers)
        if not ok:
            raise got
        checks: list[Check] = got
        return checks

    def close(self) -> None:
        """End the gate process: once it has answered, it is told to stop; if it was never asked (the build
        failed before its gate) or is still running a request nobody will read (the build failed meanwhile),
        it is killed at once: it only imports and reads, never writes."""
        if self._conn is not None:
            pid = self._proc.pid
            if self._pending is not None or not self._asked:  # its own process group goes, with any pool
                if pid is not None and pid > 0:  # (never 0 or less: that would be this process's own group)
                    with contextlib.suppress(OSError):
                        os.killpg(pid, signal.SIGKILL)
                self._proc.kill()
                self._pending = None
            else:
                with contextlib.suppress(OSError):  # the process may have gone
                    self._conn.send(None)
            self._conn.close()
            self._proc.join()
            self._conn = None


def _serve(conn: Any, theirs: Any = None) -> None:
    """The forked gate process: set great-expectations up, then run the one request it is sent. It leads a
    process group of its own, so the build can end it with the processes it forks for large releases. It
    closes its copy of the build's end of the pipe (``theirs``) first: if the build is killed, the pipe then
    ends and so does this process, instead of waiting for a request forever."""
    if theirs is not None:
        theirs.close()
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    prepare_gate()
    msg = conn.recv()
    if msg is None:
        return
    folder, probes, workers = msg
    from irbc.core.tables import TableStore

    try:
        conn.send((True, gx_checks(TableStore(folder=folder), probes, workers)))
    except Exception as exc:
        conn.send((False, exc))
