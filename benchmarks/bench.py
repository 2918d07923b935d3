"""Benchmark: build a synthetic corpus of N documents end to end and report per-stage time, throughput,
records validated per second and peak memory; compare the concept tagger with spaCy's PhraseMatcher.

    python benchmarks/bench.py --n 5 1000 10000 [--workers 1 2] [--tagger-only] [--scale 1 16 64 256]

Every build line also gives the lower bound of the same work on the same corpus, measured in the same run on one
core (read every raw file and write one Parquet file; the declared rule regexes of each source's site; the
codebook's Aho–Corasick automaton over every text), and the build's ratio to it per core (``ratio``: the build's
time over the lower bound divided by the workers), so the figure means the same on a noisy or slower machine.
It also gives the CPU seconds of the build and of every process it starts (``cpu_s``; ``stages_s.worker_cpu``
is the per-document workers' part) and the ratio that CPU would give if it were spread without loss over the
machine's cores (``ratio_floor``): when ``ratio`` is near its floor, the cores are busy for almost the whole
build, and only less CPU lowers it.

The synthetic corpus is made deterministically from the real one: document i takes the raw text of real
document i mod 5 and reorders its paragraphs with a seeded shuffle (headers, notes and footers keep their
place), so every document is distinct, realistic, and goes through the same cleaning rules. Curated stance files
are copied for every synthetic document (their quotes lie inside paragraphs, so they still anchor).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STOP = re.compile(r"\s*(\d+\. \d+\.$|\[\d+\]|About the [Aa]uthor|Leave a Reply|Author information)")
CORPUS = ROOT / "corpus"


def _dump(data: object) -> str:
    """YAML without anchors and aliases (the build refuses them; the entries share their empty dicts)."""
    import yaml

    class NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: object) -> bool:
            return True

    return yaml.dump(data, Dumper=NoAliases, sort_keys=False, allow_unicode=True)


def _body(texts: list[str]) -> list[int]:
    """Indices of a raw text's body paragraphs (its blocks between blank lines): the long ones before the first
    note, bio or comment form, never paratext, list items or notes."""
    end = next((j for j, t in enumerate(texts) if STOP.match(t)), len(texts))
    return [j for j, t in enumerate(texts[:end]) if len(t) > 400 and not t.lstrip().startswith("•")]


def make_corpus(n: int, dest: Path) -> int:
    """Write a corpus folder of n documents; returns the raw bytes written."""
    import yaml

    if dest.exists():
        shutil.rmtree(dest)
    (dest / "raw").mkdir(parents=True)
    (dest / "annotations" / "stances").mkdir(parents=True)
    shutil.copy(CORPUS / "rules.yaml", dest / "rules.yaml")
    shutil.copy(CORPUS / "profiles.yaml", dest / "profiles.yaml")
    shutil.copy(CORPUS / "dataset.yaml", dest / "dataset.yaml")
    shutil.copy(CORPUS / "annotations" / "stance_targets.yaml", dest / "annotations" / "stance_targets.yaml")
    manifest = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))
    bases = manifest["sources"]
    raws = [(CORPUS / "raw" / s["source_file"]).read_text(encoding="utf-8") for s in bases]
    stances = [
        (CORPUS / "annotations" / "stances" / f"{s['doc_id']}.yaml").read_text(encoding="utf-8")
        for s in bases
    ]
    out: list[dict] = []
    total = 0
    seen: set[str] = set()
    for i in range(n):
        b = i % len(bases)
        src = dict(bases[b])
        raw = raws[b]
        blocks = re.split(r"(\n\s*\n)", raw)
        texts = blocks[0::2]
        body = _body(texts)
        order = body[:]
        random.Random(i).shuffle(order)
        new = texts[:]
        for j, k in zip(body, order, strict=True):
            new[j] = texts[k]
        if body:  # every synthetic document is distinct, whatever the shuffle gave
            new[body[0]] = new[body[0]].rstrip() + f" Synthetic variant {i}."
        blocks[0::2] = new
        text = "".join(blocks)
        assert text not in seen
        seen.add(text)
        doc_id = f"{src['doc_id']}_{i:05d}"
        name = f"{i:05d}_{src['source_file']}"
        (dest / "raw" / name).write_text(text, encoding="utf-8")
        total += len(text.encode("utf-8"))
        src.update(
            doc_id=doc_id, source_file=name, raw_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest()
        )
        out.append(src)
        st = stances[b].replace(f"doc_id: {bases[b]['doc_id']}", f"doc_id: {doc_id}", 1)
        (dest / "annotations" / "stances" / f"{doc_id}.yaml").write_text(st, encoding="utf-8")
    manifest["sources"] = out
    (dest / "sources.yaml").write_text(_dump(manifest), encoding="utf-8")
    return total


def make_big_document(mb: float, dest: Path) -> int:
    """A corpus of one document: the five real texts joined into a single line, repeated to ``mb`` megabytes (the
    worst case for per-document memory: one paragraph, one block, one document)."""
    import yaml

    if dest.exists():
        shutil.rmtree(dest)
    (dest / "raw").mkdir(parents=True)
    (dest / "annotations").mkdir()
    for name in ("rules.yaml", "profiles.yaml", "dataset.yaml"):
        shutil.copy(CORPUS / name, dest / name)
    shutil.copy(CORPUS / "annotations" / "stance_targets.yaml", dest / "annotations" / "stance_targets.yaml")
    manifest = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))
    joined = " ".join(" ".join((CORPUS / "raw" / s["source_file"]).read_text(encoding="utf-8").split())
                      for s in manifest["sources"])  # fmt: skip
    size = int(mb * 1e6)
    text = (" ".join([joined] * (size // len(joined) + 1)))[:size].rstrip() + "\n"
    (dest / "raw" / "big.txt").write_text(text, encoding="utf-8")
    src = dict(manifest["sources"][1], doc_id="big_single_line", source_file="big.txt")
    src["raw_sha256"] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    manifest["sources"] = [src]
    (dest / "sources.yaml").write_text(_dump(manifest), encoding="utf-8")
    return len(text.encode("utf-8"))


def make_scaled_corpus(k: int, dest: Path) -> int:
    """The five real documents, each with every long body paragraph followed by k - 1 copies of it (the words of
    each copy shuffled with a seeded shuffle, each copy a paragraph of its own, every line kept a line): the same
    documents k times as long, in as many lines, blocks and paragraphs. A stage whose cost per byte grows with
    the size of a document (one that compares lines, blocks or paragraphs pairwise) shows here, and not in the
    corpus of many small documents or in the single-line document. The curated stances still anchor (their
    quotes lie in the first, unchanged copy); the mention reviews are left out (they name mentions by offset)."""
    import yaml

    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(CORPUS, dest, ignore=shutil.ignore_patterns("raw", "mentions"))
    (dest / "raw").mkdir()
    manifest = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))
    total = 0
    for src in manifest["sources"]:
        raw = (CORPUS / "raw" / src["source_file"]).read_text(encoding="utf-8")
        blocks = re.split(r"(\n\s*\n)", raw)
        texts = blocks[0::2]
        for j in _body(texts):
            t = texts[j]
            copies = []
            for c in range(1, k):
                words = t.rstrip().split(" ")
                random.Random(c * 7919 + j).shuffle(words)
                copies.append("\n\n" + " ".join(words) + f" Variant {c}.")
            texts[j] = t + "".join(copies)
        blocks[0::2] = texts
        data = "".join(blocks).encode("utf-8")
        (dest / "raw" / src["source_file"]).write_bytes(data)
        src["raw_sha256"] = hashlib.sha256(data).hexdigest()
        total += len(data)
    (dest / "sources.yaml").write_text(_dump(manifest), encoding="utf-8")
    return total


def _tree(root: int) -> set[int]:
    """The process ``root`` and all its descendants, now."""
    parent: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            parent[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p and c not in tree]
        tree.update(kids)
        frontier.extend(kids)
    return tree


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_pss_mb(root: int, tries: int = 20) -> float:
    """Proportional set size (MB) of a process and all its descendants: shared pages (fork copy-on-write) are
    split between the processes that share them, so the sum is the memory the whole build really uses.

    The processes are read one after another (tens of milliseconds for large ones). A process that forks or
    exits meanwhile moves its shared pages' shares between processes read before and after, so such a sum
    counts them twice (a fork read before, its child after: 1.5 times the parent's memory) or not at all. A sum
    counts only when the same processes are there before and after it (after ``tries`` unsteady reads, the
    largest of them is kept)."""
    sums = []
    for _ in range(tries):
        before = _tree(root)
        total = sum(_pss_kb(pid) for pid in before)
        if _tree(root) == before:
            return total / 1024
        sums.append(total)
    return max(sums) / 1024


def run_build(corpus: Path, out: Path, workers: int, sample: bool = True, must_pass: bool = True) -> dict:
    """One full build in a fresh process (so peak memory is the build's own), its memory sampled every 0.1 s
    if ``sample``. A sample reads smaps_rollup of every process, tens of milliseconds for large processes: about a
    quarter of a core, which a 2-worker build on 2 cores would lose. So timings come from a run without
    sampling, and peak memory from a second run with it."""
    code = f"""
import json, resource, time, sys
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from bench import process_tree_cpu_s
t0, cpu0 = time.perf_counter(), process_tree_cpu_s()
from pathlib import Path
from irbc.run.driver import build_release
from irbc.run.options import BuildOptions
t_import = time.perf_counter() - t0
opts = BuildOptions(corpus=Path({str(corpus)!r}), out=Path({str(out)!r}), workers={workers})
try:
    res, report, _ = build_release(opts)
except Exception as exc:
    if {must_pass!r}:
        raise
    print(json.dumps({{"ok": False, "total_s": time.perf_counter() - t0, "error": str(exc)[:300]}}))
    sys.exit(0)
res.timings["total"] = time.perf_counter() - t0
cpu_s = process_tree_cpu_s() - cpu0  # over the same span as the total: every pool and helper is joined by now
records = sum(res.tables.num_rows(t) for t in res.tables)
print(json.dumps({{"ok": True, "total_s": res.timings["total"], "timings": res.timings, "import": t_import, "records": records, "cpu_s": cpu_s,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "rss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}}))
"""
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    peak = 0.0
    while proc.poll() is None:
        if sample:
            peak = max(peak, _tree_pss_mb(proc.pid))
        time.sleep(0.1)
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(stderr[-3000:])
    out_json = json.loads(stdout.strip().splitlines()[-1])
    out_json["peak_pss_mb"] = peak
    return out_json


def ratio_floor(cpu_s: float, bound_s: float, workers: int, cores: int | None = None) -> float:
    """The lowest ``ratio`` a build that used ``cpu_s`` CPU seconds could reach on ``cores`` cores (default:
    those this process may run on): its time is at least cpu_s / cores, and the ratio is its time over the
    lower bound shared by the workers."""
    cores = cores or len(os.sched_getaffinity(0))
    return (cpu_s / cores) / (bound_s / workers)


def process_tree_cpu_s() -> float:
    """User and system CPU seconds of this process and of its ended children, each child with the ended
    descendants it waited for. Read by the build's process before and after ``build_release``, the difference
    is the CPU of the build and of every process it started and joined (the per-document workers, the
    great-expectations pieces' workers, the explorer's page workers, the plots process): at least the build's
    CPU, since a process not yet waited for is not counted."""
    own, kids = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def lower_bound(corpus: Path, work: Path) -> dict:
    """The unavoidable part of a build of ``corpus``, on one core, in seconds: reading every raw file and writing
    their texts to one Parquet file; every declared rule regex of each source's site over its raw text (RE2, as
    the build compiles them); the codebook's Aho–Corasick automaton over every (case-folded) text. Nothing of
    the build's own work (audit, structure, anchoring, records, validation) is in it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from irbc.annotators.codebook import load_codebook
    from irbc.annotators.lexicon import Tagger, fold
    from irbc.core.schema import schema_dir
    from irbc.stages.read import load_corpus_config

    cfg = load_corpus_config(corpus)
    tagger = Tagger(load_codebook(schema_dir() / "codebook.yaml"))
    t0 = time.perf_counter()
    ids = [s["doc_id"] for s in cfg.sources]
    texts = [(corpus / "raw" / s["source_file"]).read_text(encoding="utf-8") for s in cfg.sources]
    pq.write_table(pa.table({"doc_id": ids, "text": texts}), work / "lower_bound.parquet")
    t1 = time.perf_counter()
    for s, text in zip(cfg.sources, texts, strict=True):
        profile = cfg.profile_name(s["site"])
        for rule in cfg.rules:
            if rule.regex is not None and rule.applies(s["doc_id"], s["site"], profile):
                for _ in rule.regex.finditer(text):
                    pass
    t2 = time.perf_counter()
    for text in texts:
        for _ in tagger.auto.iter(fold(text)):
            pass
    t3 = time.perf_counter()
    return {"io_s": round(t1 - t0, 2), "rules_s": round(t2 - t1, 2), "aho_corasick_s": round(t3 - t2, 2),
            "total_s": round(t3 - t0, 2)}  # fmt: skip


def bench_tagger(mb_target: float = 20.0) -> dict:
    """lexicon_v1 vs spaCy PhraseMatcher(attr=LOWER) on the same text; spans must be identical."""
    from irbc.annotators.codebook import load_codebook
    from irbc.annotators.lexicon import Tagger
    from irbc.core.schema import schema_dir

    cb = load_codebook(schema_dir() / "codebook.yaml")
    tagger = Tagger(cb)
    from irbc.run.driver import collect
    from irbc.run.options import BuildOptions

    res = collect(BuildOptions(corpus=CORPUS, out=Path("unused")))
    paras = res.tables["documents"]["text"].to_pylist()  # whole documents, as the pipeline tags them
    reps = max(1, int(mb_target * 1e6 / sum(len(t.encode()) for t in paras)))
    texts = paras * reps
    size = sum(len(t.encode()) for t in texts) / 1e6
    t0 = time.perf_counter()
    n_mentions = sum(len(tagger.tag(t)) for t in texts)
    t_ours = time.perf_counter() - t0
    out = {
        "text_mb": round(size, 2),
        "lexicon_v1_s": round(t_ours, 3),
        "mentions": n_mentions,
        "lexicon_v1_mb_s": round(size / t_ours, 1),
    }
    try:
        import spacy
        from spacy.matcher import PhraseMatcher
    except ImportError:
        out["spacy"] = "not installed (pip install spacy to compare)"
        return out
    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    for form, cid in cb.form_to_concept.items():
        matcher.add(cid, [nlp.make_doc(form)])
    sample = paras  # spans compared on one copy of the corpus
    t0 = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=256))
    theirs_all = [matcher(d) for d in docs]
    t_spacy = time.perf_counter() - t0
    from spacy.util import filter_spans

    same = 0
    for t, d, ms in zip(sample, docs[: len(sample)], theirs_all[: len(sample)], strict=True):
        spans = filter_spans([d[s:e] for _, s, e in ms])
        theirs = sorted((sp.start_char, sp.end_char) for sp in spans)
        mine = sorted((s, e) for s, e, _ in tagger.tag(t))
        same += theirs == mine
    out.update(
        spacy_s=round(t_spacy, 3),
        spacy_mb_s=round(size / t_spacy, 2),
        speedup=round(t_spacy / t_ours, 1),
        identical_documents=f"{same}/{len(sample)}",
    )
    return out


def bench_scaling(ks: list[int], work: Path) -> None:
    """Build the real five documents made k times as long (``make_scaled_corpus``) for each k, one worker, and
    print the worker's seconds (the per-document stage and its checks; the driver's stages are not in it), per
    raw byte, and how they grow with the size from one k to the next."""
    prev: tuple[int, float] | None = None
    for k in ks:
        size = make_scaled_corpus(k, work / f"corpus-scale-{k}")
        r = run_build(work / f"corpus-scale-{k}", work / f"release-scale-{k}", 1, sample=False)
        t = r["timings"]
        # the per-document stage and its record and integrity checks (seconds in the worker), per raw byte
        worker_s = sum(
            v
            for key, v in t.items()
            if key.startswith("worker_") and key not in ("worker_records", "worker_cpu")
        )
        us = worker_s / size * 1e6
        # the exponent a of worker_s ~ size ** a from the K before: at most about 1 while every stage is linear in
        # a document's size (below 1 while the fixed costs spread), about 2 for a quadratic stage, 3 for a cubic one
        exponent = math.log(worker_s / prev[1]) / math.log(size / prev[0]) if prev else None
        prev = (size, worker_s)
        print(json.dumps({"scale_k": k, "raw_mb": round(size / 1e6, 2), "total_s": round(t["total"], 2),
                          "worker_s": round(worker_s, 2), "us_per_byte": round(us, 3),
                          "exponent": exponent and round(exponent, 2)}), flush=True)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--n",
        type=int,
        nargs="*",
        default=[5, 1000],
        help="corpus sizes (none: only --big-doc-mb, --scale and the tagger)",
    )
    ap.add_argument("--workers", type=int, nargs="+", default=[1])
    ap.add_argument("--work", default=str(ROOT / "bench-out"))
    ap.add_argument("--tagger-only", action="store_true")
    ap.add_argument(
        "--big-doc-mb", type=float, default=0, help="also build one single-line document this large"
    )
    ap.add_argument(
        "--scale",
        type=int,
        nargs="*",
        default=[],
        help="also build the five real documents made K times as long, for each K (for example 1 16 64 256)",
    )
    args = ap.parse_args()
    work = Path(args.work)
    if args.scale:
        bench_scaling(args.scale, work)
    if args.big_doc_mb:
        size = make_big_document(args.big_doc_mb, work / "corpus-big")
        # the build may refuse the release (a single line keeps noise the line rules cannot see): memory is measured
        m = run_build(work / "corpus-big", work / "release-big", 1, sample=True, must_pass=False)
        print(json.dumps({"big_document_mb": round(size / 1e6, 1), "peak_memory_mb": round(m["peak_pss_mb"]),
                          "total_s": round(m.get("total_s", 0), 1), "built": m["ok"]}), flush=True)  # fmt: skip
    if not args.tagger_only:
        for n in args.n:
            corpus = work / f"corpus-{n}"
            size = make_corpus(n, corpus)
            bound = lower_bound(corpus, work)
            for w in args.workers:
                r = run_build(corpus, work / f"release-{n}-{w}", w, sample=False)
                m = run_build(corpus, work / f"release-{n}-{w}", w, sample=True)
                t = r["timings"]
                print(
                    json.dumps(
                        {
                            "n_docs": n,
                            "workers": w,
                            "raw_mb": round(size / 1e6, 2),
                            "total_s": round(t["total"], 2),
                            "mb_per_s": round(size / 1e6 / t["total"], 2),
                            "lower_bound_1_core_s": bound["total_s"],
                            "lower_bound_s": bound,
                            # the build's time over the lower bound shared by its workers (issue: <= 5)
                            "ratio": round(t["total"] / (bound["total_s"] / w), 1),
                            # the CPU of every process of the build, and the ratio it would give if spread
                            # without loss over this machine's cores: no scheduling gets below it
                            "cpu_s": round(r["cpu_s"], 1),
                            "ratio_floor": round(ratio_floor(r["cpu_s"], bound["total_s"], w), 1),
                            "records": r["records"],
                            # every document-table record is validated in the workers; CPU seconds summed
                            "records_validated_per_s": round(
                                t["worker_records"] / max(t["worker_jsonschema"], 1e-9)
                            ),
                            "peak_memory_mb": round(m["peak_pss_mb"]),  # whole process tree (PSS)
                            "peak_rss_mb": round(m["rss_mb"]),  # the driver process alone
                            "sampled_run_total_s": round(m["timings"]["total"], 2),  # slowed by the sampling
                            "stages_s": {k: round(v, 2) for k, v in t.items() if k != "worker_records"},
                        }
                    ),
                    flush=True,
                )
    print(json.dumps({"tagger": bench_tagger()}))


if __name__ == "__main__":
    main()
