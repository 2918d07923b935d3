"""The driver: owns looping, progress and stats; every stage is a pure function over records.

``collect`` plans the corpus (which raw files to build, which to skip), runs the per-document stage on an
executor, settles each document's outcome in manifest order, streams the Arrow tables into the sink and
computes the corpus-wide figures. ``build_release`` adds the gate and the release writers."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from irbc import DATASET_VERSION
from irbc.annotators.agreement import stance_agreement, tagger_scores
from irbc.annotators.citation_scores import summarise
from irbc.annotators.curated import CURATED
from irbc.annotators.lexicon import LEXICON
from irbc.annotators.registry import stray_files
from irbc.annotators.second_pass import SECOND_PASS
from irbc.core.arrow import to_arrow
from irbc.core.errors import InputError
from irbc.core.io import sha256_file
from irbc.core.result import BuildResult
from irbc.core.schema import DOC_TABLES, TABLES, validate_input, withheld_columns
from irbc.core.tables import TableSink, TableStore
from irbc.gate.report import Check, merge_checks
from irbc.release.docs import shipped_docs
from irbc.release.standoff import INPUT_FILES
from irbc.run.context import BuildContext, make_context
from irbc.run.executors import run_chunks
from irbc.run.options import BuildOptions
from irbc.run.worker import DocOut
from irbc.stages.read import CorpusConfig, load_corpus_config
from irbc.stages.works import Works, withhold_works


def _git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


@dataclass
class _Plan:
    """Which sources to build, and what is already known to be skipped."""

    cfg: CorpusConfig
    todo: list[dict[str, Any]]
    on_disk: set[str]
    duplicate: dict[str, str]  # doc_id -> the earlier file with the same content
    inputs: dict[str, str]


class _Collector:
    """The state of one ``collect`` run: the plan, the outcomes settled so far, the tables streamed."""

    def __init__(self, opts: BuildOptions, sink: Path | None) -> None:
        self.opts = opts
        self.skipped: list[dict[str, str]] = []
        self.timings: dict[str, float] = {}
        self.outs: dict[str, DocOut] = {}
        self.done: list[DocOut] = []
        self.fatal: list[InputError] = []
        self.pos = 0
        self.mem: dict[str, list[pa.Table]] = {t: [] for t in DOC_TABLES}
        self.sink = TableSink(sink) if sink is not None else None
        self.folder = sink
        self.chunk_checks: list[list[Check]] = []
        self.seconds: Counter[str] = Counter()
        self.ran_on: list[str] = []
        self.works = Works()  # gathered in manifest order as documents settle

    def bad(self, err: InputError, doc_id: str | None = None) -> None:
        """A skippable input error: raised in error mode, recorded in skip mode."""
        if self.opts.on_bad_input == "error":
            raise err
        rel = InputError(self.corpus_relative(err.file), err.place, err.reason)
        self.skipped.append({"doc_id": doc_id or "", "file": rel.file, "reason": str(rel)})

    def corpus_relative(self, path: str) -> str:
        """``corpus/<path inside the corpus folder>``, as in the provenance: a release never records host paths."""
        try:
            return "corpus/" + Path(path).resolve().relative_to(Path(self.opts.corpus).resolve()).as_posix()
        except ValueError:
            return Path(path).name

    def plan(self) -> _Plan:
        """The corpus configuration, and every raw file on disk that the manifest does not list."""
        cfg = load_corpus_config(self.opts.corpus)
        raw_dir = cfg.root / "raw"
        if not raw_dir.is_dir():
            raise InputError(str(raw_dir), None, "raw text folder does not exist")
        listed = {s["source_file"] for s in cfg.sources}
        on_disk = {p.name for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith(".")}
        for name in sorted(on_disk - listed):
            self.bad(InputError(str(raw_dir / name), None, "raw file is not listed in sources.yaml"))
        for path, reason in stray_files(cfg.root / "annotations", {s["doc_id"] for s in cfg.sources}):
            self.bad(InputError(str(path), None, reason))
        return _Plan(cfg, [], on_disk, {}, dict(cfg.input_hashes))

    def hash_sources(self, plan: _Plan) -> None:
        """The listed raw files to build: a missing one is bad input, a second copy of a file a duplicate."""
        t0 = time.perf_counter()
        cfg, first_of = plan.cfg, dict[str, str]()
        raw_dir = cfg.root / "raw"
        for s in cfg.sources:
            if s["source_file"] not in plan.on_disk:
                reason = f"listed raw file {s['source_file']} does not exist"
                self.bad(
                    InputError(str(cfg.root / "sources.yaml"), f"doc_id {s['doc_id']}", reason), s["doc_id"]
                )
                continue
            sha = sha256_file(raw_dir / s["source_file"])
            if sha in first_of:
                plan.duplicate[s["doc_id"]] = first_of[sha]
            else:
                first_of[sha] = s["source_file"]
                plan.todo.append(s)
        self.timings["hash"] = time.perf_counter() - t0

    def settle(self, plan: _Plan, todo_ids: set[str]) -> None:
        """Take every document whose result is in, in manifest order: a skippable error is raised (error mode)
        or recorded (skip mode) where the document stands in the manifest; a curated-file error stops the
        build once every raw file has been read."""
        sources = plan.cfg.sources
        while self.pos < len(sources):
            s = sources[self.pos]
            doc_id = s["doc_id"]
            if doc_id in todo_ids and doc_id not in self.outs:
                return  # not built yet
            self.pos += 1
            if doc_id in plan.duplicate:
                path = str(plan.cfg.root / "raw" / s["source_file"])
                self.bad(
                    InputError(path, None, f"same content as {plan.duplicate[doc_id]} (duplicate raw file)"),
                    doc_id,
                )
                continue
            d = self.outs.get(doc_id)
            if d is None:
                continue  # listed file missing: already reported
            if d.error is not None and d.fatal:
                self.fatal.append(d.error)
            elif d.error is not None:
                self.bad(d.error, doc_id)
            else:
                plan.inputs[f"corpus/raw/{s['source_file']}"] = d.sha or ""
                plan.inputs.update(d.inputs)
                self.done.append(d)
                self.works.add(d.work_cites)
                d.work_cites = []  # the works hold what they need of them

    def stream(
        self,
        plan: _Plan,
        ctx: BuildContext,
        progress: Callable[[str, int, int], None] | None,
        meanwhile: Callable[[], None] | None,
    ) -> None:
        """Run the per-document stage and move its tables into the sink (or memory), in manifest order."""
        t0 = time.perf_counter()
        raw_dir = plan.cfg.root / "raw"
        tasks = [(s, str(raw_dir / s["source_file"])) for s in plan.todo]
        todo_ids = {s["doc_id"] for s in plan.todo}
        o = self.opts
        for chunk in run_chunks(tasks, ctx, o.workers, o.executor, o.scheduler, self.ran_on):
            for d in chunk.docs:
                self.outs[d.source["doc_id"]] = d
                if progress:
                    progress(d.source["doc_id"], len(self.outs), len(plan.todo))
            self.settle(plan, todo_ids)
            for t in DOC_TABLES:
                self.add(t, chunk.tables[t])
            self.chunk_checks.append(chunk.checks)
            self.seconds.update(chunk.seconds)
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
        self.settle(plan, todo_ids)
        if self.fatal:
            raise self.fatal[0]
        if not self.done:
            raise InputError(str(plan.cfg.root), None, "no document could be built")
        works = self.works.rows()
        if ctx.withhold is not None:
            withhold_works(works, ctx.withhold, withheld_columns("works")[0])
        self.add("works", to_arrow(works, "works"))
        self.add("concepts", to_arrow(ctx.concepts, "concepts"))
        self.add("stance_targets", to_arrow(ctx.targets, "stance_targets"))
        if self.sink is not None:
            self.sink.close()
        self.timings["documents"] = time.perf_counter() - t0
        self.timings.update({f"worker_{k}": v for k, v in self.seconds.items()})  # summed over workers

    def add(self, table: str, data: pa.Table) -> None:
        if self.sink is not None:
            self.sink.add(table, data)
        else:
            self.mem.setdefault(table, []).append(data)

    def tables(self) -> TableStore:
        if self.folder is not None:
            return TableStore(folder=self.folder)
        return TableStore({t: pa.concat_tables(self.mem[t]) for t in TABLES})


def _scores(done: list[DocOut]) -> dict[str, Any] | None:
    """lexicon_v1 against the gold layer, over the documents a gold layer reviewed."""
    reviewed = [d for d in done if d.reviewed is not None]
    if not reviewed:
        return None
    rows = [m for d in reviewed for m in d.reviewed or []]
    return tagger_scores(
        [m for m in rows if m["annotator"] == LEXICON],
        [m for m in rows if m["annotator"] == CURATED],
        {d.source["doc_id"] for d in reviewed},
    )


def _summary(
    tables: TableStore, done: list[DocOut], diagnostics: list[Any], ctx: BuildContext, inputs: dict[str, str]
) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "documents": [d.summary for d in done],
        "rows": {t: tables.num_rows(t) for t in TABLES},
        "diagnostics": len(diagnostics),
    }
    cites = summarise([d.citation_scores for d in done if d.citation_scores is not None])
    if cites is not None:
        summary["citation_scores"] = cites
    stances = tables.read("stances", ["doc_id", "target_id", "holder", "stance", "annotator"]).to_pylist()
    if any(s["annotator"] == SECOND_PASS for s in stances):
        summary["agreement"] = {"stances": stance_agreement(stances)}
    return summary


def _config(opts: BuildOptions, plan: _Plan, skipped: list[dict[str, str]]) -> dict[str, Any]:
    cfg = plan.cfg
    config = {
        "dataset_version": DATASET_VERSION,
        "on_bad_input": opts.on_bad_input,
        "text_policy": opts.text_policy,
        "inputs": dict(sorted(plan.inputs.items())),
        "git_commit": _git_commit(cfg.root),
        "noise_probes": {r.id: r.probe for r in cfg.rules if r.probe},
        "skipped": skipped,
        "sources": [{"doc_id": s["doc_id"], "notes": s.get("notes", "")} for s in cfg.sources],
    }
    validate_input("build_config", config, "build_config.json")
    return config


def collect(
    opts: BuildOptions,
    progress: Callable[[str, int, int], None] | None = None,
    sink: Path | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> BuildResult:
    """Run every stage over the corpus folder and return the release tables.

    The per-document work (clean, split, tag, anchor the curated files, build rows, check every record and the
    document's integrity, convert to Arrow) runs in chunks of documents on the workers; this driver only moves
    Arrow tables. With ``sink`` (a staging data/ folder) they are streamed into the Parquet files as they
    arrive, so memory stays flat however large the corpus; without it they are kept in memory. ``meanwhile`` is
    called once, in this process, after the first chunk is in (while the workers go on with the rest)."""
    c = _Collector(opts, sink)
    plan = c.plan()
    ctx = make_context(plan.cfg, plan.inputs, opts.text_policy)
    c.hash_sources(plan)
    try:
        c.stream(plan, ctx, progress, meanwhile)
    except BaseException:
        if c.sink is not None:
            c.sink.abort()
        raise
    tables = c.tables()
    diagnostics = [x for d in c.done for x in d.diagnostics]
    summary = _summary(tables, c.done, diagnostics, ctx, plan.inputs)
    config = _config(opts, plan, c.skipped)
    build_inputs = {name: (plan.cfg.root / name).read_bytes() for name in INPUT_FILES}
    return BuildResult(
        tables,
        summary,
        config,
        diagnostics,
        c.skipped,
        _scores(c.done),
        build_inputs,
        plan.cfg.description,
        c.timings,
        merge_checks(c.chunk_checks),
        "; ".join(c.ran_on),
        warnings=plan.cfg.profile_warnings(),
        docs=shipped_docs(plan.cfg.root, with_agreement="agreement" in summary),
        workers=opts.workers,
    )


def build_release(
    opts: BuildOptions,
    progress: Callable[[str, int, int], None] | None = None,
    stage: Callable[[str], None] | None = None,
    gate: Any = None,
    helper: Any = None,
) -> tuple[BuildResult, Any, Path]:
    """The whole build: stream the tables into a staging folder beside ``opts.out``, validate them there (the
    gate reads the very files it releases), write the release files, and rename the folder into place only
    if every check passed. Any failure removes the staging folder and leaves the previous release as it was.
    Returns (result, validation report, release path).

    The files that need no report (exporters registered ``report_free``) are written while the great-expectations suites run (in the
    gate process of a single-process build), background ones (the plots) on a forked process even with one
    worker; the others once every check has passed.

    ``gate``: a GateProcess the caller forked already (the CLI does, first thing), used by a single-process
    build and closed here whatever happens (a build with workers validates in this process). ``helper``: an
    ExportHelper forked already (the CLI's), which writes the background exporters; closed here too."""
    from irbc.gate.expectations import GateProcess, prepare_gate
    from irbc.release.writer import check_target, staged

    # great-expectations is set up while the documents are built: here with workers, else in the gate process
    parallel = opts.workers > 1 or opts.executor == "dask"
    if parallel and gate is not None:
        gate.close()
        gate = None
    with ExitStack() as stack:
        for proc in (gate, helper):  # the caller's gate and helper are closed here whatever happens
            if proc is not None:
                stack.callback(proc.close)
        check_target(Path(opts.out), {"the corpus folder": Path(opts.corpus)})
        if gate is None and not parallel:
            gate = GateProcess()
            stack.callback(gate.close)
        with staged(Path(opts.out)) as (tmp, out):
            result = collect(opts, progress, sink=tmp / "data", meanwhile=prepare_gate if parallel else None)
            report, t0 = _validate_and_write(opts, result, tmp, gate, helper, stage)
    result.tables = TableStore(folder=out / "data")
    result.timings["write"] = time.perf_counter() - t0
    return result, report, out


def _validate_and_write(
    opts: BuildOptions,
    result: BuildResult,
    tmp: Path,
    gate: Any,
    helper: Any,
    stage: Callable[[str], None] | None,
) -> Any:
    """Validate the staged tables and write the release files into ``tmp``: the report-free ones while the
    suites run, the others once every check has passed (a failed check raises, and the caller removes ``tmp``).
    Returns the report and when the files after the report began (the caller times the write to its end)."""
    from irbc.gate.release import validate_tables
    from irbc.release.exporters import exporting

    if stage:
        stage("validating")
    probes = result.config["noise_probes"]
    if gate is not None:
        gate.submit(result.tables, probes, opts.workers)  # the suites run there from now on
    with exporting(tmp, result, forks=True, helper=helper) as export:
        t0 = time.perf_counter()
        export.before_report()
        result.timings["write_before_report"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        report = validate_tables(
            result.tables,
            result.summary,
            probes,
            timings=result.timings,
            workers=opts.workers,
            prechecked=result.checks,
            run_gx=None if gate is None else gate.gx_checks,
        )
        result.timings["validate"] = time.perf_counter() - t0
        if not report.passed:
            raise report.failure()
        if stage:
            stage("writing release")
        t0 = time.perf_counter()
        export.after_report(report)
    return report, t0


__all__ = ["BuildOptions", "BuildResult", "build_release", "collect"]
