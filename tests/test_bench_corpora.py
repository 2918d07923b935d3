"""The benchmark's scaled corpus is what its figures claim to measure: the real documents made K times as long,
each long body paragraph followed by K - 1 distinct copies of its words, nothing else changed."""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections import Counter
from pathlib import Path

import yaml

from conftest import CORPUS, ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sources(corpus: Path) -> list[dict]:
    return yaml.safe_load((corpus / "sources.yaml").read_text(encoding="utf-8"))["sources"]


def test_scale_one_is_the_real_corpus(tmp_path: Path) -> None:
    size = _bench().make_scaled_corpus(1, tmp_path / "c")
    real = _sources(CORPUS)
    assert _sources(tmp_path / "c") == real
    raw = {s["source_file"]: (CORPUS / "raw" / s["source_file"]).read_bytes() for s in real}
    assert size == sum(len(b) for b in raw.values())
    for name, data in raw.items():
        assert (tmp_path / "c" / "raw" / name).read_bytes() == data
    assert not (tmp_path / "c" / "annotations" / "mentions").exists()  # reviews name mentions by offset
    # every other file of the corpus (rules, profiles, dataset, stances, citations, agreement) as it is
    rest = {p.relative_to(CORPUS) for p in CORPUS.rglob("*") if p.is_file()}
    rest = {p for p in rest if p.parts[0] != "raw" and p.parts[:2] != ("annotations", "mentions")}
    made = {p.relative_to(tmp_path / "c") for p in (tmp_path / "c").rglob("*") if p.is_file()}
    assert made == rest | {Path("raw") / name for name in raw}
    for p in rest - {Path("sources.yaml")}:
        assert (tmp_path / "c" / p).read_bytes() == (CORPUS / p).read_bytes(), p
    assert len(rest) > 8


def test_scaled_paragraphs_are_distinct_copies_of_the_words(tmp_path: Path) -> None:
    bench = _bench()
    k = 3
    bench.make_scaled_corpus(k, tmp_path / "c")
    grown = 0
    for src in _sources(tmp_path / "c"):
        text = (tmp_path / "c" / "raw" / src["source_file"]).read_text(encoding="utf-8")
        assert src["raw_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
        original = re.split(r"\n\s*\n", (CORPUS / "raw" / src["source_file"]).read_text(encoding="utf-8"))
        blocks = re.split(r"\n\s*\n", text)
        i = 0
        for j, para in enumerate(original):
            assert blocks[i] == para
            i += 1
            end = next((n for n, t in enumerate(original) if bench.STOP.match(t)), len(original))
            if j < end and len(para) > 400 and not para.lstrip().startswith("•"):
                copies = blocks[i : i + k - 1]
                i += k - 1
                for c, copy in enumerate(copies, start=1):
                    assert copy.endswith(f" Variant {c}.")
                    words = copy[: -len(f" Variant {c}.")].split(" ")
                    assert Counter(words) == Counter(para.rstrip().split(" "))
                    assert words != para.rstrip().split(" ")  # shuffled, not the paragraph's order
                    assert copy.count("\n") == para.rstrip().count("\n")
                orders = {copy.rsplit(" Variant ", 1)[0] for copy in copies}
                assert len(orders) == k - 1  # each copy shuffled its own way, not only its suffix distinct
                grown += 1
        assert i == len(blocks)  # nothing else was added
    assert grown > 20  # every document has long body paragraphs to repeat


def test_memory_samples_count_only_reads_with_the_same_processes_before_and_after(monkeypatch) -> None:
    """The peak-memory sampler sums the processes' PSS one after another; a read during which a process forked or
    exited is read again (it would count the shared pages twice, or not at all), and after ``tries`` such reads
    the largest is kept (an upper bound)."""
    bench = _bench()
    trees = iter([{1, 2}, {1, 2, 3}, {1, 2, 3}, {1, 2, 3}])  # a fork during the first read
    pss = {1: 1000 * 1024, 2: 500 * 1024, 3: 400 * 1024}
    monkeypatch.setattr(bench, "_tree", lambda root: next(trees))
    monkeypatch.setattr(bench, "_pss_kb", lambda pid: pss[pid])
    assert bench._tree_pss_mb(1) == 1900  # the second read: the same three processes before and after

    changing = iter(range(100))
    monkeypatch.setattr(bench, "_tree", lambda root: {1} if next(changing) % 2 else {1, 2})
    sizes = iter([1500, 900, 2600, 700, 1200, 800])  # each read's two processes, in turn
    monkeypatch.setattr(bench, "_pss_kb", lambda pid: next(sizes) * 1024)
    assert bench._tree_pss_mb(1, tries=3) == 3300  # never steady: the largest of the sums 2400, 3300 and 2000


def test_memory_samples_read_the_whole_process_tree() -> None:
    """On this machine's /proc: the tree of this process holds a child it started, a sleeping child's tree is
    itself, and its PSS is read (PSS moves as other processes share pages, so only its presence is checked)."""
    import os
    import subprocess

    bench = _bench()
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert child.pid in bench._tree(os.getpid())
        assert bench._tree(child.pid) == {child.pid}
        assert bench._pss_kb(child.pid) > 0 and bench._tree_pss_mb(child.pid) > 0
    finally:
        child.kill()
        child.wait()


def test_build_cpu_counts_the_process_and_the_processes_it_forks() -> None:
    """The CPU the benchmark gives a build (read by the build's process before and after it) counts the process's
    own CPU and that of a child it forked and waited for: here about 0.3 s spun in this process and 0.6 s in a
    child, and a child not yet waited for is not counted (so the figure never exceeds the build's CPU)."""
    import os
    import time

    bench = _bench()

    def spin(seconds: float) -> None:
        t = time.process_time()
        while time.process_time() - t < seconds:
            pass

    before = bench.process_tree_cpu_s()
    spin(0.3)
    assert 0.3 <= bench.process_tree_cpu_s() - before < 0.3 + 1.0
    pid = os.fork()
    if pid == 0:
        spin(0.6)
        os._exit(0)
    time.sleep(0.05)
    unwaited = bench.process_tree_cpu_s() - before
    os.waitpid(pid, 0)
    used = bench.process_tree_cpu_s() - before
    assert unwaited < 0.3 + 0.55  # the running child is not counted yet
    assert 0.9 <= used < 0.9 + 1.0


def test_ratio_floor_is_the_cpu_spread_over_the_cores() -> None:
    """Worked by hand: 300 CPU seconds on 2 cores take at least 150 s; against a 15 s lower bound shared by 2
    workers (7.5 s) that is a ratio of 20; with 1 worker the same build's floor is 10."""
    bench = _bench()
    assert bench.ratio_floor(300, 15, workers=2, cores=2) == 20
    assert bench.ratio_floor(300, 15, workers=1, cores=2) == 10
    assert bench.ratio_floor(300, 15, workers=2, cores=4) == 10
