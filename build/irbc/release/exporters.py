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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


# the exporters that read neither the gate's report nor a file written by one that does: a build writes them
# while the great-expectations suites run (in the gate's process), the others once the report is in. Their
# ExportContext has no report then: one that read it would fail, never write a report-less file.
REPORT_FREE = frozenset(
    {
        "views_v1",
        "build_config_v1",
        "build_inputs_v1",
        "build_summary_v1",
        "citation_cff_v1",
        "license_v1",
        "datapackage_v1",
        "docs_v1",
        "works_csl_v1",
        "works_bibtex_v1",
        "plots_v1",
        "explorer_pages_v1",
        "explorer_index_v1",
    }
)


class ReportNotReady(RuntimeError):
    """An exporter read the gate's report before the gate had finished (it is missing from REPORT_FREE's
    complement, or reads a file of an exporter that needs the report)."""


class ExportContext:
    """What an exporter may read: the build result and the gate's report (None while the gate still runs)."""

    def __init__(self, result: BuildResult, report: Any = None) -> None:
        self.result = result
        self._report = report  # irbc.gate.report.Report

    @property
    def report(self) -> Any:
        if self._report is None:
            raise ReportNotReady("the gate's report is not there yet: only REPORT_FREE exporters run now")
        return self._report

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


class Exports:
    """``finalize`` in two steps, for a build that writes while its gate runs: ``before_report`` writes the
    REPORT_FREE exporters, ``after_report`` the others (in the registry's order, each step), then the
    manifest. Background exporters run on forked processes when ``forks``; they are waited for before the
    manifest, and killed if anything fails (``exporting``), so nothing writes into a folder being removed."""

    def __init__(self, release: Path, result: BuildResult, forks: bool) -> None:
        self.release, self.result = release, result
        self.ctx = ExportContext(result)
        self.exporters = registered_exporters()
        self.forks = forks and "fork" in multiprocessing.get_all_start_methods()
        self.started: list[tuple[Exporter, Any, Any]] = []
        self.early_done = False

    def before_report(self) -> None:
        self._run([e for e in self.exporters if e.name in REPORT_FREE])
        self.early_done = True

    def after_report(self, report: Any) -> None:
        if not self.early_done:
            self.before_report()
        self.ctx._report = report
        self._run([e for e in self.exporters if e.name not in REPORT_FREE])
        for e, proc, seconds in self.started:
            proc.join()
            if proc.exitcode != 0:
                raise RuntimeError(f"exporter {e.name} failed on its process (exit code {proc.exitcode})")
            self.result.timings[f"export:{e.name}"] = seconds.value
        write_manifest(self.release, self.result)

    def _run(self, group: list[Exporter]) -> None:
        """Start the group's background exporters, then write the others here, in order."""
        mine = [e for e in group if not (self.forks and e.background)]
        self.started += [_start(e, self.release, self.ctx) for e in group if e not in mine]
        for e in mine:  # timings: the benchmark's, not released
            t0 = time.perf_counter()
            e.write(self.release, self.ctx)
            self.result.timings[f"export:{e.name}"] = time.perf_counter() - t0

    def kill(self) -> None:
        for _, proc, _ in self.started:
            if proc.is_alive():
                proc.kill()
            proc.join()


@contextmanager
def exporting(release: Path, result: BuildResult, forks: bool | None = None) -> Iterator[Exports]:
    """``with exporting(tmp, result) as ex: ex.before_report(); ...; ex.after_report(report)``. ``forks``:
    run background exporters on forked processes (default: with workers). Leaving the block, by an error too,
    no exporter process is left running."""
    ex = Exports(release, result, result.workers > 1 if forks is None else forks)
    try:
        yield ex
    finally:
        ex.kill()


def finalize(release: Path, result: BuildResult, report: Any, forks: bool | None = None) -> None:
    """Write every registered export into the (temporary) release folder, then the manifest: the REPORT_FREE
    exporters first, then the others, each in the registry's order. With ``forks`` (default: with workers), the
    background exporters run on forked processes, waited for before the manifest."""
    with exporting(release, result, forks) as ex:
        ex.after_report(report)
