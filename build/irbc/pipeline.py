"""The driver: owns looping, progress and stats; every stage is a pure function over records."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import DATASET_VERSION, annotate
from .document import DocResult, process_document
from .errors import InputError, IrbcError
from .io import load_config_file, load_corpus_config, read_raw, sha256_file, write_json
from .records import to_row
from .schema import TABLES, arrow_schema, validate_input


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
    tables: dict[str, list[dict[str, Any]]]
    summary: dict[str, Any]
    config: dict[str, Any]
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    scores: dict[str, Any] | None = None
    build_inputs: dict[str, bytes] = field(default_factory=dict)  # corpus config files shipped in the release
    timings: dict[str, float] = field(
        default_factory=dict
    )  # seconds per stage (never written to the release)


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


def collect(opts: BuildOptions, progress: Callable[[str], None] | None = None) -> BuildResult:
    """Run every stage over the corpus folder and return the release tables (nothing written)."""
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
    results: list[DocResult] = []
    hashes: dict[str, str] = {}
    inputs = dict(cfg.input_hashes)
    t0 = time.perf_counter()
    todo = []
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
        todo.append(s)
    for s, sha, res, err in _run_documents(todo, raw_dir, cfg, opts.workers, opts.executor, opts.scheduler):
        if progress:
            progress(s["doc_id"])
        if err is None and sha in hashes:
            err = InputError(
                str(raw_dir / s["source_file"]), None, f"same content as {hashes[sha]} (duplicate raw file)"
            )
        if err is not None:
            bad(err, s["doc_id"])
            continue
        hashes[sha] = s["source_file"]
        inputs[f"corpus/raw/{s['source_file']}"] = sha
        results.append(res)
    timings["clean_split"] = time.perf_counter() - t0
    if not results:
        raise InputError(str(cfg.root), None, "no document could be built")

    t0 = time.perf_counter()
    tables: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    diagnostics: list[dict[str, Any]] = []
    for r in results:
        tables["documents"].append(to_row(r.document))
        tables["sections"].extend(to_row(x) for x in r.sections)
        tables["paragraphs"].extend(to_row(x) for x in r.paragraphs)
        tables["notes"].extend(to_row(x) for x in r.notes)
        tables["removed"].extend(to_row(x) for x in r.removed)
        diagnostics.extend(asdict(d) for d in r.diagnostics)

    timings["rows"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    scores, agreement = _annotate(cfg.root, results, tables, inputs)
    timings["annotate"] = time.perf_counter() - t0
    summary = _summary(results, tables, diagnostics)
    if agreement:
        summary["agreement"] = agreement
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
    if opts.text_policy == "standoff":
        from .standoff import apply_standoff, withheld_docs

        apply_standoff(tables, withheld_docs(cfg.sources))
    from .standoff import INPUT_FILES

    build_inputs = {name: (cfg.root / name).read_bytes() for name in INPUT_FILES}
    return BuildResult(tables, summary, config, diagnostics, skipped, scores, build_inputs, timings)


_WORKER_CFG: Any = None


def _init_worker(cfg: Any) -> None:
    global _WORKER_CFG
    _WORKER_CFG = cfg


def _one_document(
    task: tuple[dict[str, Any], str],
) -> tuple[dict[str, Any], str | None, DocResult | None, InputError | None]:
    """The per-document stage for one source (runs in a worker process or inline)."""
    s, path = task
    cfg = _WORKER_CFG
    try:
        raw, sha = read_raw(Path(path))
        if s.get("raw_sha256") and s["raw_sha256"] != sha:
            raise InputError(
                path, None, f"SHA-256 {sha[:12]}… differs from sources.yaml ({s['raw_sha256'][:12]}…)"
            )
        return s, sha, process_document(s, raw, cfg.rules, cfg.profile(s["site"]), sha), None
    except InputError as err:
        return s, None, None, err


def _one_document_with(task: tuple[dict[str, Any], str], cfg: Any) -> Any:
    _init_worker(cfg)
    return _one_document(task)


def _run_dask(tasks: list[tuple[dict[str, Any], str]], cfg: Any, workers: int, scheduler: str | None) -> Any:
    """The per-document stage on a dask.distributed cluster: a LocalCluster (loopback only) by default, or the
    scheduler at ``scheduler``. Results come back in manifest order, so the release is identical."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1", silence_logs=40)  # fmt: skip
    client = Client(scheduler or cluster)
    try:
        shared = client.scatter(cfg, broadcast=True)
        futures = client.map(_one_document_with, tasks, cfg=shared, pure=False)
        yield from client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_documents(
    todo: list[dict[str, Any]], raw_dir: Path, cfg: Any, workers: int, executor: str = "local",
    scheduler: str | None = None,
) -> Any:  # fmt: skip
    """Yield per-document results in manifest order: inline, on ``workers`` local processes, or on dask."""
    tasks = [(s, str(raw_dir / s["source_file"])) for s in todo]
    if executor == "dask":
        yield from _run_dask(tasks, cfg, workers, scheduler)
        return
    if workers <= 1 or len(tasks) < 2:
        _init_worker(cfg)
        yield from map(_one_document, tasks)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(cfg,)
    ) as ex:
        yield from ex.map(_one_document, tasks, chunksize=max(1, min(64, len(tasks) // (workers * 8) or 1)))


def _annotate(
    root: Path, results: list[DocResult], tables: dict[str, list[dict[str, Any]]], inputs: dict[str, str]
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Concepts, lexicon and curated mentions, stances; returns the tagger scores and the agreement figures."""
    from .schema import schema_dir

    cb_path = schema_dir() / "codebook.yaml"
    codebook = annotate.load_codebook(cb_path)
    inputs["schema/codebook.yaml"] = sha256_file(cb_path)
    texts = {r.document.doc_id: r.document.text or "" for r in results}
    annotate.check_codebook_quotes(codebook, texts, str(cb_path))
    tables["concepts"] = annotate.concept_rows(codebook)
    tagger = annotate.Tagger(codebook)
    ann_dir = root / "annotations"
    targets_path = ann_dir / "stance_targets.yaml"
    targets = annotate.load_targets(targets_path) if targets_path.is_file() else []
    if targets:
        inputs["corpus/annotations/stance_targets.yaml"] = sha256_file(targets_path)
    tables["stance_targets"] = [dict(t) for t in targets]
    target_ids = [t["target_id"] for t in targets]
    reviewed: set[str] = set()
    auto_all: list[dict[str, Any]] = []
    curated_all: list[dict[str, Any]] = []
    for r in results:
        doc_id, text = r.document.doc_id, r.document.text or ""
        units = annotate.units_of(r.paragraphs, r.notes)
        auto = annotate.lexicon_mentions(doc_id, text, units, tagger)
        auto_all.extend(auto)
        review_path = ann_dir / "mentions" / f"{doc_id}.yaml"
        if review_path.is_file():
            review = load_config_file(review_path, "mention_review", keep_lines=True)
            curated_all.extend(
                annotate.curated_mentions(doc_id, text, units, auto, review, str(review_path), codebook)
            )
            reviewed.add(doc_id)
            inputs[f"corpus/annotations/mentions/{doc_id}.yaml"] = sha256_file(review_path)
        stance_path = ann_dir / "stances" / f"{doc_id}.yaml"
        if stance_path.is_file():
            tables["stances"].extend(annotate.stance_rows(doc_id, text, units, stance_path, target_ids))
            inputs[f"corpus/annotations/stances/{doc_id}.yaml"] = sha256_file(stance_path)
    agreement: dict[str, Any] = {}
    agreement_path = ann_dir / "agreement" / "stances_second_pass.yaml"
    if agreement_path.is_file() and tables["stances"]:
        agreement["stances"] = annotate.stance_agreement(
            agreement_path, tables["stances"], {r.document.doc_id for r in results}, target_ids
        )
        inputs["corpus/annotations/agreement/stances_second_pass.yaml"] = sha256_file(agreement_path)
    tables["concept_mentions"] = sorted(
        auto_all + curated_all, key=lambda m: (m["doc_id"], m["annotator"], m["start"])
    )
    scores = annotate.tagger_scores(auto_all, curated_all, reviewed) if reviewed else None
    return scores, agreement


def _summary(
    results: list[DocResult], tables: dict[str, list[dict[str, Any]]], diagnostics: list[dict[str, Any]]
) -> dict[str, Any]:
    per_doc = []
    lexicon = Counter(m["doc_id"] for m in tables["concept_mentions"] if m["annotator"] == annotate.LEXICON)
    n_stances = Counter(s["doc_id"] for s in tables["stances"])
    for r in results:
        d = r.document
        per_doc.append(
            {
                "doc_id": d.doc_id,
                "sections": len(r.sections),
                "paragraphs": len(r.paragraphs),
                "notes": len(r.notes),
                "callouts_linked": sum(len(n.callouts) for n in r.notes),
                "notes_without_callout": sum(1 for n in r.notes if not n.callouts),
                "callouts_without_note": sum(1 for x in r.diagnostics if x.code == "callout_without_note"),
                "chars_raw": d.raw_chars,
                "chars_kept": d.clean_chars,
                "chars_removed": d.removed_chars,
                "mentions_lexicon": lexicon[d.doc_id],
                "stances": n_stances[d.doc_id],
            }
        )
    return {
        "documents": per_doc,
        "rows": {t: len(v) for t, v in tables.items()},
        "diagnostics": len(diagnostics),
    }


def write_parquet(rows: list[dict[str, Any]], table: str, path: Path) -> None:
    """Write one table with its explicit Arrow schema (no inference), deterministically."""
    schema = arrow_schema(table)
    data = pa.Table.from_pylist(rows, schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(data, path, compression="zstd", write_statistics=True, store_schema=True)


def write_release(result: BuildResult, out: Path, extra: Callable[[Path], None] | None = None) -> Path:
    """Write into a temporary folder beside ``out`` and rename it into place only when complete."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-{os.getpid()}-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        for table, rows in result.tables.items():
            write_parquet(rows, table, tmp / "data" / table / "train-00000-of-00001.parquet")
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
        if extra is not None:
            extra(tmp)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}-old-{os.getpid()}-{tmp.name.rsplit('-', 1)[-1]}"
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


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


__all__ = ["BuildOptions", "BuildResult", "IrbcError", "collect", "write_release"]
