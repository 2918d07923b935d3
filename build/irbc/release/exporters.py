"""The exporter registry: every file written into a release is written by a registered exporter, under a
versioned name and with the paths it writes. ``finalize`` runs them all and seals the folder with the manifest
(last, so it covers every other file); the validator's list of required files is read from the same registry.

Adding an export format is one new module in ``irbc.release`` that calls ``@exporter(...)``, plus its name in
``EXPORTER_MODULES`` (modules are imported on first use, so a build imports no exporter it does not run). Each
exporter carries a one-line description of what it writes: the card's "Files in this folder" table is made from
them."""

from __future__ import annotations

import importlib
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from irbc.core.result import BuildResult
from irbc.release.manifest import MANIFEST, write_manifest

EXPORTER_MODULES = (
    "irbc.release.views",  # before the card, whose header gives every config's size
    "irbc.release.files",
    "irbc.release.report",
    "irbc.release.card",
    "irbc.release.datasheet",
    "irbc.release.citation",
    "irbc.release.license",
    "irbc.release.croissant",
    "irbc.release.datapackage",
    "irbc.release.docs",
    "irbc.release.works_export",
    "irbc.release.plots",  # before the explorer, whose index shows them
    "irbc.release.explorer",
)


@dataclass
class ExportContext:
    """What an exporter may read: the build result and the gate's report."""

    result: BuildResult
    report: Any  # irbc.gate.report.Report

    @cached_property
    def report_json(self) -> dict[str, Any]:
        out: dict[str, Any] = self.report.to_json()
        return out


@dataclass(frozen=True)
class Exporter:
    name: str  # versioned: dataset_card_v1
    files: tuple[str, ...]  # release-relative paths it writes ("build_inputs/" for a folder)
    write: Callable[[Path, ExportContext], None]
    required: bool  # the validator refuses a release without these files
    description: str  # one line for the card's table of files
    # reads only the tables and writes only its own files: with workers, finalize runs it on a forked process
    # while the others run (its files are the same bytes)
    background: bool = False


_REGISTRY: dict[str, Exporter] = {}


def exporter(
    name: str, *files: str, description: str, required: bool = True, background: bool = False
) -> Callable[[Callable[[Path, ExportContext], None]], Any]:
    def add(fn: Callable[[Path, ExportContext], None]) -> Callable[[Path, ExportContext], None]:
        if not description.strip() or "\n" in description:
            raise ValueError(f"exporter {name!r} needs a one-line description")
        if name in _REGISTRY:
            raise ValueError(f"exporter {name!r} is registered twice")
        taken = {f for e in _REGISTRY.values() for f in e.files}
        if taken & set(files):
            raise ValueError(
                f"exporter {name!r} writes {sorted(taken & set(files))}, which another one writes"
            )
        _REGISTRY[name] = Exporter(name, files, fn, required, description, background)
        return fn

    return add


def registered_exporters() -> list[Exporter]:
    """Every exporter, in the order of EXPORTER_MODULES (then of registration), whatever imported them first."""
    for module in EXPORTER_MODULES:
        importlib.import_module(module)
    rank = {m: i for i, m in enumerate(EXPORTER_MODULES)}
    return sorted(_REGISTRY.values(), key=lambda e: rank.get(e.write.__module__, len(rank)))


def required_files() -> tuple[str, ...]:
    """The files every release must have: the manifest and those of every required exporter."""
    files = [f for e in registered_exporters() if e.required for f in e.files if not f.endswith("/")]
    return (MANIFEST, *files)


def _timed(e: Exporter, release: Path, ctx: ExportContext, seconds: Any) -> None:
    t0 = time.perf_counter()
    e.write(release, ctx)
    seconds.value = time.perf_counter() - t0


def _start(e: Exporter, release: Path, ctx: ExportContext) -> tuple[Exporter, Any, Any]:
    """Run a background exporter on a forked process; (it, the process, its seconds when it is done)."""
    fork = multiprocessing.get_context("fork")
    seconds = fork.Value("d", 0.0)
    proc = fork.Process(target=_timed, args=(e, release, ctx, seconds), name=f"irbc-{e.name}", daemon=True)
    proc.start()
    return e, proc, seconds


def finalize(release: Path, result: BuildResult, report: Any) -> None:
    """Write every registered export into the (temporary) release folder, then the manifest. With workers, the
    background exporters start first, each on a forked process, and are waited for before the manifest."""
    ctx = ExportContext(result, report)
    exporters = registered_exporters()
    forks = result.workers > 1 and "fork" in multiprocessing.get_all_start_methods()
    started = [_start(e, release, ctx) for e in exporters if forks and e.background]
    try:
        for e in exporters:
            if any(e is s[0] for s in started):
                continue
            t0 = time.perf_counter()
            e.write(release, ctx)
            result.timings[f"export:{e.name}"] = time.perf_counter() - t0  # the benchmark's; not released
        for e, proc, seconds in started:
            proc.join()
            if proc.exitcode != 0:
                raise RuntimeError(f"exporter {e.name} failed on its process (exit code {proc.exitcode})")
            result.timings[f"export:{e.name}"] = seconds.value
    finally:
        for _, proc, _ in started:
            if proc.is_alive():
                proc.kill()
                proc.join()
    write_manifest(release, result)
