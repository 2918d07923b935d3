"""The driver: owns looping, progress and stats; every stage is a pure function over records."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from . import DATASET_VERSION, annotate
from .document import DocResult, process_document
from .errors import InputError, IrbcError
from .io import load_config_file, load_corpus_config, read_raw, sha256_file, write_json
from .records import to_row
from .schema import TABLES, arrow_schema, validate_input
from .tables import TableSink, TableStore, table_path, write_table
from .validate import DOC_TABLES, Check, merge_checks, record_checks


@dataclass
class BuildOptions:
    corpus: Path
    out: Path
    on_bad_input: str = "error"  # "error" | "skip"
    text_policy: str = "full"
    workers: int = 1
    executor: str = "local"  # "local" | "dask"
    scheduler: str | None = None  # dask scheduler address; None = a LocalCluster


@dataclass
class BuildResult:
    tables: TableStore  # one Arrow table per release table, columns as declared in schema/
    summary: dict[str, Any]
    config: dict[str, Any]
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    scores: dict[str, Any] | None = None
    build_inputs: dict[str, bytes] = field(default_factory=dict)  # corpus config files shipped in the release
    timings: dict[str, float] = field(
        default_factory=dict
    )  # seconds per stage (never written to the release)
    checks: list[Check] | None = None  # record and integrity checks the workers already ran (merged)
    ran_on: str = ""  # where the per-document stage ran (for the build log; never written to the release)
    # figures computed once from the tables and kept (docs.stats); never written to the release as such
    derived: dict[str, Any] = field(default_factory=dict, repr=False)


def to_arrow(rows: list[dict[str, Any]], table: str) -> pa.Table:
    """Record dicts -> an Arrow table with the schema-derived Arrow schema (no inference); column by column,
    which is several times faster than ``Table.from_pylist`` for long text columns."""
    schema = arrow_schema(table)
    return pa.Table.from_pydict({c: [r.get(c) for r in rows] for c in schema.names}, schema=schema)


def arrow_tables(rows: dict[str, list[dict[str, Any]]]) -> TableStore:
    return TableStore({t: to_arrow(rows.get(t, []), t) for t in TABLES})


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
class _Context:
    """Everything the per-document stage needs, built once and shipped to every worker."""

    cfg: Any
    codebook: annotate.Codebook
    tagger: annotate.Tagger
    targets: list[dict[str, Any]]
    concepts: list[dict[str, Any]]
    ann_dir: Path
    codebook_file: str
    withhold: set[str] | None  # stand-off release: documents whose text is withheld


@dataclass
class _DocOut:
    source: dict[str, Any]
    sha: str | None = None
    error: InputError | None = None
    fatal: bool = False  # an error in a curated annotation file: never skipped
    inputs: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] | None = None
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    reviewed: list[dict[str, Any]] | None = None  # mention rows of a reviewed document (for tagger scores)


@dataclass
class _ChunkOut:
    docs: list[_DocOut]
    tables: dict[str, pa.Table]
    checks: list[Check]
    seconds: dict[str, float]


def collect(
    opts: BuildOptions,
    progress: Callable[[str], None] | None = None,
    sink: Path | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> BuildResult:
    """Run every stage over the corpus folder and return the release tables.

    The per-document work (clean, split, tag, anchor the curated files, build rows, check every record and the
    document's integrity, convert to Arrow) runs in chunks of documents on the workers; this driver only moves
    Arrow tables. With ``sink`` (a staging data/ folder) they are streamed into the Parquet files as they
    arrive, so memory stays flat however large the corpus; without it they are kept in memory. ``meanwhile`` is
    called once, in this process, after the first chunk is in (while the workers go on with the rest)."""
    timings: dict[str, float] = {}
    cfg = load_corpus_config(opts.corpus)
    raw_dir = cfg.root / "raw"
    if not raw_dir.is_dir():
        raise InputError(str(raw_dir), None, "raw text folder does not exist")
    listed = {s["source_file"] for s in cfg.sources}
    on_disk = {p.name for p in raw_dir.iterdir() if p.is_file() and not p.name.startswith(".")}
    skipped: list[dict[str, str]] = []

    def bad(err: InputError, doc_id: str | None = None) -> None:
        if opts.on_bad_input == "error":
            raise err
        skipped.append({"doc_id": doc_id or "", "file": err.file, "reason": str(err)})

    for name in sorted(on_disk - listed):
        bad(InputError(str(raw_dir / name), None, "raw file is not listed in sources.yaml"))
    inputs = dict(cfg.input_hashes)
    t0 = time.perf_counter()
    ctx = _context(cfg, inputs, opts.text_policy)
    todo: list[dict[str, Any]] = []
    first_of: dict[str, str] = {}
    duplicate: dict[str, str] = {}  # doc_id -> the earlier file with the same content
    for s in cfg.sources:
        if s["source_file"] not in on_disk:
            bad(
                InputError(
                    str(cfg.root / "sources.yaml"),
                    f"doc_id {s['doc_id']}",
                    f"listed raw file {s['source_file']} does not exist",
                ),
                s["doc_id"],
            )
            continue
        sha = sha256_file(raw_dir / s["source_file"])
        if sha in first_of:
            duplicate[s["doc_id"]] = first_of[sha]
        else:
            first_of[sha] = s["source_file"]
            todo.append(s)
    timings["hash"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    todo_ids = {s["doc_id"] for s in todo}
    outs: dict[str, _DocOut] = {}
    done: list[_DocOut] = []
    fatal: list[InputError] = []
    pos = 0

    def settle() -> None:
        """Take every document whose result is in, in manifest order: a skippable error is raised (error mode)
        or recorded (skip mode) where the document stands in the manifest; a curated-file error stops the
        build once every raw file has been read."""
        nonlocal pos
        while pos < len(cfg.sources):
            s = cfg.sources[pos]
            doc_id = s["doc_id"]
            if doc_id in todo_ids and doc_id not in outs:
                return  # not built yet
            pos += 1
            if doc_id in duplicate:
                err = InputError(
                    str(raw_dir / s["source_file"]),
                    None,
                    f"same content as {duplicate[doc_id]} (duplicate raw file)",
                )
                bad(err, doc_id)
                continue
            d = outs.get(doc_id)
            if d is None:
                continue  # listed file missing: already reported
            if d.error is not None and d.fatal:
                fatal.append(d.error)
            elif d.error is not None:
                bad(d.error, doc_id)
            else:
                inputs[f"corpus/raw/{s['source_file']}"] = d.sha or ""
                inputs.update(d.inputs)
                done.append(d)

    mem: dict[str, list[pa.Table]] = {t: [] for t in DOC_TABLES}
    out_sink = TableSink(sink) if sink is not None else None
    chunk_checks: list[list[Check]] = []
    seconds: Counter[str] = Counter()
    ran_on: list[str] = []
    try:
        for chunk in _run_chunks(todo, raw_dir, ctx, opts.workers, opts.executor, opts.scheduler, ran_on):
            for d in chunk.docs:
                if progress:
                    progress(d.source["doc_id"])
                outs[d.source["doc_id"]] = d
            settle()
            for t in DOC_TABLES:
                if out_sink is not None:
                    out_sink.add(t, chunk.tables[t])
                else:
                    mem[t].append(chunk.tables[t])
            chunk_checks.append(chunk.checks)
            seconds.update(chunk.seconds)
            if meanwhile is not None:
                meanwhile()
                meanwhile = None
        settle()
        if fatal:
            raise fatal[0]
        if not done:
            raise InputError(str(cfg.root), None, "no document could be built")
        concepts, targets = to_arrow(ctx.concepts, "concepts"), to_arrow(ctx.targets, "stance_targets")
        if out_sink is not None:
            out_sink.add("concepts", concepts)
            out_sink.add("stance_targets", targets)
            out_sink.close()
    except BaseException:
        if out_sink is not None:
            out_sink.abort()
        raise
    timings["documents"] = time.perf_counter() - t0
    timings.update({f"worker_{k}": v for k, v in seconds.items()})  # summed over workers
    if sink is not None:
        tables = TableStore(folder=sink)
    else:
        every = {t: pa.concat_tables(mem[t]) for t in DOC_TABLES}
        every.update(concepts=concepts, stance_targets=targets)
        tables = TableStore({t: every[t] for t in TABLES})

    diagnostics = [x for d in done for x in d.diagnostics]
    reviewed = [d for d in done if d.reviewed is not None]
    scores = None
    if reviewed:
        rows = [m for d in reviewed for m in d.reviewed or []]
        scores = annotate.tagger_scores(
            [m for m in rows if m["annotator"] == annotate.LEXICON],
            [m for m in rows if m["annotator"] == annotate.CURATED],
            {d.source["doc_id"] for d in reviewed},
        )
    summary: dict[str, Any] = {
        "documents": [d.summary for d in done],
        "rows": {t: tables.num_rows(t) for t in TABLES},
        "diagnostics": len(diagnostics),
    }
    agreement_path = ctx.ann_dir / "agreement" / "stances_second_pass.yaml"
    if agreement_path.is_file() and tables.num_rows("stances"):
        summary["agreement"] = {
            "stances": annotate.stance_agreement(
                agreement_path,
                tables.read("stances", ["doc_id", "target_id", "holder", "stance"]).to_pylist(),
                {d.source["doc_id"] for d in done},
                [t["target_id"] for t in ctx.targets],
            )
        }
        inputs["corpus/annotations/agreement/stances_second_pass.yaml"] = sha256_file(agreement_path)
    config = {
        "dataset_version": DATASET_VERSION,
        "on_bad_input": opts.on_bad_input,
        "text_policy": opts.text_policy,
        "inputs": dict(sorted(inputs.items())),
        "git_commit": _git_commit(cfg.root),
        "noise_probes": {r.id: r.probe for r in cfg.rules if r.probe},
        "skipped": skipped,
        "sources": [{"doc_id": s["doc_id"], "notes": s.get("notes", "")} for s in cfg.sources],
    }
    validate_input("build_config", config, "build_config.json")
    from .standoff import INPUT_FILES

    build_inputs = {name: (cfg.root / name).read_bytes() for name in INPUT_FILES}
    checks = merge_checks(chunk_checks)
    return BuildResult(
        tables,
        summary,
        config,
        diagnostics,
        skipped,
        scores,
        build_inputs,
        timings,
        checks,
        "; ".join(ran_on),
    )


def _context(cfg: Any, inputs: dict[str, str], text_policy: str) -> _Context:
    """Load the codebook and the stance targets once (their errors stop the build before any document)."""
    from .schema import schema_dir

    cb_path = schema_dir() / "codebook.yaml"
    codebook = annotate.load_codebook(cb_path)
    inputs["schema/codebook.yaml"] = sha256_file(cb_path)
    ann_dir = cfg.root / "annotations"
    targets_path = ann_dir / "stance_targets.yaml"
    targets = annotate.load_targets(targets_path) if targets_path.is_file() else []
    if targets:
        inputs["corpus/annotations/stance_targets.yaml"] = sha256_file(targets_path)
    withhold = None
    if text_policy == "standoff":
        from .standoff import withheld_docs

        withhold = withheld_docs(cfg.sources)
    return _Context(
        cfg,
        codebook,
        annotate.Tagger(codebook),
        [dict(t) for t in targets],
        annotate.concept_rows(codebook),
        ann_dir,
        str(cb_path),
        withhold,
    )


def _document(ctx: _Context, s: dict[str, Any], path: str, rows: dict[str, list[dict[str, Any]]]) -> _DocOut:
    """The per-document stage for one source: appends its rows to ``rows``; errors are returned, not raised."""
    out = _DocOut(s)
    try:
        raw, sha = read_raw(Path(path))
        if s.get("raw_sha256") and s["raw_sha256"] != sha:
            raise InputError(
                path, None, f"SHA-256 {sha[:12]}… differs from sources.yaml ({s['raw_sha256'][:12]}…)"
            )
        res = process_document(s, raw, ctx.cfg.rules, ctx.cfg.profile(s["site"]), sha)
    except InputError as err:
        out.error = err
        return out
    out.sha = sha
    try:
        mentions, stances = _annotate_document(ctx, res, out)
    except InputError as err:
        out.error, out.fatal = err, True
        return out
    rows["documents"].append(to_row(res.document))
    rows["sections"].extend(map(to_row, res.sections))
    rows["paragraphs"].extend(map(to_row, res.paragraphs))
    rows["notes"].extend(map(to_row, res.notes))
    rows["removed"].extend(map(to_row, res.removed))
    rows["concept_mentions"].extend(mentions)
    rows["stances"].extend(stances)
    out.diagnostics = [to_row(x) for x in res.diagnostics]
    d = res.document
    out.summary = {
        "doc_id": d.doc_id,
        "sections": len(res.sections),
        "paragraphs": len(res.paragraphs),
        "notes": len(res.notes),
        "callouts_linked": sum(len(n.callouts) for n in res.notes),
        "notes_without_callout": sum(1 for n in res.notes if not n.callouts),
        "callouts_without_note": sum(1 for x in res.diagnostics if x.code == "callout_without_note"),
        "chars_raw": d.raw_chars,
        "chars_kept": d.clean_chars,
        "chars_removed": d.removed_chars,
        "mentions_lexicon": sum(1 for m in mentions if m["annotator"] == annotate.LEXICON),
        "stances": len(stances),
    }
    return out


def _annotate_document(
    ctx: _Context, res: DocResult, out: _DocOut
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Lexicon and curated mentions and stances of one document, and the codebook quotes taken from it."""
    doc_id, text = res.document.doc_id, res.document.text or ""
    annotate.check_codebook_quotes(ctx.codebook, {doc_id: text}, ctx.codebook_file)
    units = annotate.units_of(res.paragraphs, res.notes)
    auto = annotate.lexicon_mentions(doc_id, text, units, ctx.tagger)
    curated: list[dict[str, Any]] = []
    review_path = ctx.ann_dir / "mentions" / f"{doc_id}.yaml"
    if review_path.is_file():
        review = load_config_file(review_path, "mention_review", keep_lines=True)
        curated = annotate.curated_mentions(doc_id, text, units, auto, review, str(review_path), ctx.codebook)
        out.inputs[f"corpus/annotations/mentions/{doc_id}.yaml"] = sha256_file(review_path)
        out.reviewed = [dict(m) for m in auto + curated]
    stances: list[dict[str, Any]] = []
    stance_path = ctx.ann_dir / "stances" / f"{doc_id}.yaml"
    if stance_path.is_file():
        stances = annotate.stance_rows(
            doc_id, text, units, stance_path, [t["target_id"] for t in ctx.targets]
        )
        out.inputs[f"corpus/annotations/stances/{doc_id}.yaml"] = sha256_file(stance_path)
    return sorted(auto + curated, key=lambda m: (m["annotator"], m["start"])), stances


_WORKER_CTX: Any = None


def _init_worker(ctx: Any) -> None:
    global _WORKER_CTX
    _WORKER_CTX = ctx


def _chunk(tasks: list[tuple[dict[str, Any], str]]) -> _ChunkOut:
    """Build a chunk of documents into Arrow tables, with their record and integrity checks (in a worker)."""
    ctx: _Context = _WORKER_CTX
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in DOC_TABLES}
    docs = [_document(ctx, s, path, rows) for s, path in tasks]
    if ctx.withhold is not None:
        from .standoff import apply_standoff

        apply_standoff(rows, ctx.withhold)
    seconds["documents"] = time.perf_counter() - t0
    built = {d.source["doc_id"] for d in docs if d.summary is not None}
    summary = {"documents": [d.summary for d in docs if d.summary is not None]}
    every = {**rows, "concepts": ctx.concepts, "stance_targets": ctx.targets}
    checks = record_checks(every, summary, DOC_TABLES, seconds)
    t0 = time.perf_counter()
    tables = {t: to_arrow(rows[t], t) for t in DOC_TABLES}
    seconds["arrow"] = time.perf_counter() - t0
    seconds["records"] = float(sum(len(v) for v in rows.values()))
    assert built == {r["doc_id"] for r in rows["documents"]}
    return _ChunkOut(docs, tables, checks, seconds)


def _chunk_with(tasks: list[tuple[dict[str, Any], str]], ctx: Any) -> _ChunkOut:
    _init_worker(ctx)
    return _chunk(tasks)


def _run_dask(
    chunks: list[list[tuple[dict[str, Any], str]]], ctx: Any, workers: int, scheduler: str | None,
    ran_on: list[str],
) -> Any:  # fmt: skip
    """The per-document stage on a dask.distributed cluster: a LocalCluster (loopback only) by default, or the
    scheduler at ``scheduler``. Results come back in manifest order, so the release is identical."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1", silence_logs=40)  # fmt: skip
    client = Client(scheduler or cluster)
    n = len(client.scheduler_info().get("workers", {}))
    ran_on.append(f"dask.distributed, scheduler {client.scheduler.address}, {n} workers")
    try:
        shared = client.scatter(ctx, broadcast=True)
        futures = client.map(_chunk_with, chunks, ctx=shared, pure=False)
        yield from client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


TASKS_PER_WORKER = 48
CHUNK_DOCS = 32  # documents per task: large enough to amortise Arrow conversion, small enough to balance load


def _run_chunks(
    todo: list[dict[str, Any]], raw_dir: Path, ctx: Any, workers: int, executor: str = "local",
    scheduler: str | None = None, ran_on: list[str] | None = None,
) -> Any:  # fmt: skip
    """Yield chunk results in manifest order: inline, on ``workers`` local processes, or on dask."""
    tasks = [(s, str(raw_dir / s["source_file"])) for s in todo]
    size = max(1, min(CHUNK_DOCS, len(tasks) // max(1, workers * 4)))
    chunks = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    ran_on = [] if ran_on is None else ran_on
    if executor == "dask":
        yield from _run_dask(chunks, ctx, workers, scheduler, ran_on)
        return
    if workers <= 1 or len(chunks) < 2:
        ran_on.append("this process")
        _init_worker(ctx)
        yield from map(_chunk, chunks)
        return
    import multiprocessing as mp

    method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
    ran_on.append(f"{workers} local worker processes")
    # a worker is replaced after TASKS_PER_WORKER chunks, so its heap never grows with the corpus
    pool = mp.get_context(method).Pool(
        workers, initializer=_init_worker, initargs=(ctx,), maxtasksperchild=TASKS_PER_WORKER
    )
    try:
        yield from pool.imap(_chunk, chunks)
        pool.close()
    finally:  # a build stopped by a bad file does not wait for the rest of the corpus
        pool.terminate()
        pool.join()


def write_parquet(rows: list[dict[str, Any]] | pa.Table, table: str, path: Path) -> None:
    """Write one table with its explicit Arrow schema (no inference), deterministically."""
    write_table(rows if isinstance(rows, pa.Table) else to_arrow(rows, table), table, path)


def _staging(out: Path) -> Path:
    """A fresh temporary folder beside ``out`` (after cleaning up what killed builds left behind)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-{os.getpid()}-", dir=out.parent))
    tmp.chmod(0o755)
    return tmp


def _write_files(result: BuildResult, tmp: Path) -> None:
    write_json(tmp / "build_config.json", result.config)
    for name, data in result.build_inputs.items():
        (tmp / "build_inputs").mkdir(exist_ok=True)
        (tmp / "build_inputs" / name).write_bytes(data)
    write_json(
        tmp / "build_summary.json",
        {
            "summary": result.summary,
            "diagnostics": result.diagnostics,
            "skipped": result.skipped,
            "tagger_scores": result.scores,
        },
    )


def _swap(tmp: Path, out: Path) -> None:
    """Rename the finished folder into place; the previous release is moved aside first and removed last."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}-old-{os.getpid()}-{tmp.name.rsplit('-', 1)[-1]}"
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_release(result: BuildResult, out: Path, extra: Callable[[Path], None] | None = None) -> Path:
    """Write in-memory tables into a temporary folder beside ``out`` and rename it into place when complete."""
    out = Path(out).resolve()
    tmp = _staging(out)
    try:
        from concurrent.futures import ThreadPoolExecutor

        # Parquet encoding and zstd run in Arrow's C++ without the GIL: one thread per table file
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
            list(
                pool.map(
                    lambda t: write_table(result.tables[t], t, table_path(tmp / "data", t)),
                    sorted(result.tables, key=lambda t: -result.tables.size(t)),
                )
            )
        _write_files(result, tmp)
        if extra is not None:
            extra(tmp)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def build_release(
    opts: BuildOptions,
    progress: Callable[[str], None] | None = None,
    stage: Callable[[str], None] | None = None,
) -> tuple[BuildResult, Any, Path]:
    """The whole build: stream the tables into a staging folder beside ``opts.out``, validate them there (the
    gate reads the very files it releases), write the release files, and rename the folder into place only
    if every check passed. Any failure removes the staging folder and leaves the previous release as it was.
    Returns (result, validation report, release path)."""
    from .release import finalize
    from .validate import prepare_gate, validate_tables

    out = Path(opts.out).resolve()
    tmp = _staging(out)
    try:
        # with workers, set great-expectations up here while they build the documents, not after them
        parallel = opts.workers > 1 or opts.executor == "dask"
        result = collect(opts, progress, sink=tmp / "data", meanwhile=prepare_gate if parallel else None)
        if stage:
            stage("validating")
        t0 = time.perf_counter()
        report = validate_tables(
            result.tables,
            result.summary,
            result.config["noise_probes"],
            timings=result.timings,
            workers=opts.workers,
            prechecked=result.checks,
        )
        result.timings["validate"] = time.perf_counter() - t0
        if not report.passed:
            raise report.failure()
        if stage:
            stage("writing release")
        t0 = time.perf_counter()
        _write_files(result, tmp)
        finalize(tmp, result, report)
        _swap(tmp, out)
        result.tables = TableStore(folder=out / "data")
        result.timings["write"] = time.perf_counter() - t0
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return result, report, out


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(out: Path) -> None:
    """Clean up after builds that were killed (their process is gone): a half-written temporary folder is
    removed; a previous release that was moved aside but not yet replaced is put back, never deleted. A live
    concurrent build's folders are left alone."""
    import re

    pat = re.compile(rf"^\.{re.escape(out.name)}-(tmp|old)-(\d+)-")
    for p in sorted(out.parent.iterdir()):
        m = pat.match(p.name)
        if not m or not p.is_dir() or _pid_alive(int(m.group(2))):
            continue
        if m.group(1) == "old" and not out.exists():
            p.rename(out)
        else:
            shutil.rmtree(p, ignore_errors=True)


__all__ = ["BuildOptions", "BuildResult", "IrbcError", "build_release", "collect", "write_release"]
