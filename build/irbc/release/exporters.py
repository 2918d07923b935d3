"""The exporter registry: every file written into a release is written by a registered exporter, under a
versioned name and with the paths it writes. ``finalize`` runs them all and seals the folder with the manifest
(last, so it covers every other file); the validator's list of required files is read from the same registry.

Adding an export format is one new module in ``irbc.release`` that calls ``@exporter(...)``, plus its name in
``EXPORTER_MODULES`` (modules are imported on first use, so a build imports no exporter it does not run). Each
exporter carries a one-line description of what it writes: the card's "Files in this folder" table is made from
them."""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from irbc.core.memory import trim_memory
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


class ReportNotReady(RuntimeError):
    """An exporter read the gate's report before the gate had finished (it is registered ``report_free`` but
    reads the report, or a file of an exporter that needs it)."""


class ExportContext:
    """What an exporter may read: the build result and the gate's report (None while the gate still runs)."""

    def __init__(self, result: BuildResult, report: Any = None) -> None:
        self.result = result
        self._report = report  # irbc.gate.report.Report

    @property
    def report(self) -> Any:
        if self._report is None:
            raise ReportNotReady("the gate's report is not there yet: only report_free exporters run now")
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
    # a background exporter's imports and warm-up, run ahead in a process forked at build start (ExportHelper),
    # which then writes it; it must not change what ``write`` writes
    prepare: Callable[[], None] | None = None
    # reads neither the gate's report nor a file written by an exporter that does: a build writes it while the
    # great-expectations suites run (in the gate's process), the others once the report is in. Its
    # ExportContext has no report then: one that read it would fail, never write a report-less file
    report_free: bool = False


_REGISTRY: dict[str, Exporter] = {}


def exporter(
    name: str,
    *files: str,
    description: str,
    required: bool = True,
    background: bool = False,
    prepare: Callable[[], None] | None = None,
    report_free: bool = False,
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
        _REGISTRY[name] = Exporter(name, files, fn, required, description, background, prepare, report_free)
        return fn

    return add


def registered_exporters() -> list[Exporter]:
    """Every exporter, in the order of EXPORTER_MODULES (then of registration), whatever imported them first."""
    for module in EXPORTER_MODULES:
        importlib.import_module(module)
    rank = {m: i for i, m in enumerate(EXPORTER_MODULES)}
    return sorted(_REGISTRY.values(), key=lambda e: rank.get(e.write.__module__, len(rank)))


def report_free_names() -> frozenset[str]:
    """The exporters a build writes while its gate runs (registered ``report_free``)."""
    return frozenset(e.name for e in registered_exporters() if e.report_free)


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


# the modules that register the background exporters: all an ExportHelper imports (not every exporter's)
BACKGROUND_MODULES = ("irbc.release.plots",)


class ExportHelper:
    """A process forked at build start (by the CLI, before the build's own imports) that imports and warms up
    what the background exporters need (their ``prepare``: matplotlib for the plots) while the documents are
    built, then writes those exporters when asked, with the build's result sent over. Their bytes are those
    of a fresh process; it serves one request. Without fork, or if it has gone, the exporters are forked
    from the build as before."""

    def __init__(self) -> None:
        self._conn: Any = None
        self._busy = False
        self._asked = False
        if "fork" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("fork")
            self._conn, child = ctx.Pipe()
            self._proc = ctx.Process(target=_help, args=(child, self._conn), name="irbc-exports", daemon=True)
            self._proc.start()
            child.close()

    def start(self, names: list[str], release: Path, result: BuildResult) -> bool:
        """Ask it to write the background exporters ``names`` into ``release``; False if it cannot."""
        if self._conn is None or self._asked:
            return False
        self._asked = True
        try:
            self._conn.send((names, release, result))
        except Exception:  # gone, or the result does not pickle: the build forks the exporters itself
            self.close()
            return False
        self._busy = True
        return True

    def wait(self) -> dict[str, float]:
        """Seconds per exporter once they are written; raises if one failed or the process has gone."""
        self._busy = False
        try:
            ok, got = self._conn.recv()
        except (EOFError, OSError):
            raise RuntimeError("the background exporters' process ended before they were written") from None
        if not ok:
            raise RuntimeError(f"a background exporter failed on its process: {got}")
        seconds: dict[str, float] = got
        return seconds

    def close(self) -> None:
        """End it: killed at once if it was never asked or is still writing (the build failed: nothing of it
        may be written into a folder that is being removed), else told to stop."""
        if self._conn is None:
            return
        if self._busy or not self._asked:
            self._proc.kill()
        else:
            with contextlib.suppress(OSError):
                self._conn.send(None)
        self._conn.close()
        self._proc.join()
        self._conn = None
        self._busy = False


def _help(conn: Any, theirs: Any = None) -> None:
    """The ExportHelper's process: import and prepare the background exporters, then write the ones asked for.
    Its copy of the build's end of the pipe (``theirs``) is closed first, so a killed build ends it too."""
    if theirs is not None:
        theirs.close()
    for module in BACKGROUND_MODULES:
        importlib.import_module(module)
    mine = {e.name: e for e in _REGISTRY.values() if e.background}
    for e in mine.values():
        if e.prepare is not None:
            e.prepare()
    msg = conn.recv()
    if msg is None:
        return
    names, release, result = msg
    ctx, seconds = ExportContext(result), {}
    try:
        for name in names:
            t0 = time.perf_counter()
            mine[name].write(release, ctx)
            seconds[name] = time.perf_counter() - t0
    except Exception as exc:
        conn.send((False, f"{name}: {type(exc).__name__}: {exc}"))
    else:
        conn.send((True, seconds))


class Exports:
    """``finalize`` in two steps, for a build that writes while its gate runs: ``before_report`` writes the
    ``report_free`` exporters, ``after_report`` the others (in the registry's order, each step), then the
    manifest. Background exporters run on forked processes when ``forks``; they are waited for before the
    manifest, and killed if anything fails (``exporting``), so nothing writes into a folder being removed."""

    def __init__(
        self, release: Path, result: BuildResult, forks: bool, helper: ExportHelper | None = None
    ) -> None:
        self.release, self.result, self.helper = release, result, helper
        self.helped: list[str] = []  # the exporters the helper is writing
        self.ctx = ExportContext(result)
        self.forks = forks and "fork" in multiprocessing.get_all_start_methods()
        self.started: list[tuple[Exporter, Any, Any]] = []
        self.early_done = False

    @cached_property
    def exporters(self) -> list[Exporter]:
        return registered_exporters()

    def before_report(self) -> None:
        if self.forks:
            trim_memory()  # what the build freed is not copied into the processes forked from here on
            if self.helper is not None:  # first of all (before every exporter module is imported)
                names = sorted(_help_names())
                if names and self.helper.start(names, self.release, self.result):
                    self.helped += names
        self._run([e for e in self.exporters if e.report_free and e.name not in self.helped])
        self.early_done = True

    def after_report(self, report: Any) -> None:
        if not self.early_done:
            self.before_report()
        self.ctx._report = report
        self._run([e for e in self.exporters if not e.report_free])
        for e, proc, seconds in self.started:
            proc.join()
            if proc.exitcode != 0:
                raise RuntimeError(f"exporter {e.name} failed on its process (exit code {proc.exitcode})")
            self.result.timings[f"export:{e.name}"] = seconds.value
        if self.helped and self.helper is not None:
            self.helped = []
            for name, sec in self.helper.wait().items():
                self.result.timings[f"export:{name}"] = sec
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
        if self.helped and self.helper is not None:  # still writing: it goes before the folder does
            self.helper.close()
            self.helped = []


def _help_names() -> set[str]:
    """The report-free background exporters an ExportHelper has prepared (those of BACKGROUND_MODULES)."""
    for module in BACKGROUND_MODULES:
        importlib.import_module(module)
    return {
        e.name
        for e in _REGISTRY.values()
        if e.background and e.report_free and e.write.__module__ in BACKGROUND_MODULES
    }


@contextmanager
def exporting(
    release: Path, result: BuildResult, forks: bool | None = None, helper: ExportHelper | None = None
) -> Iterator[Exports]:
    """``with exporting(tmp, result) as ex: ex.before_report(); ...; ex.after_report(report)``. ``forks``:
    run background exporters on forked processes (default: with workers), on ``helper`` if there is one.
    Leaving the block, by an error too, no exporter process is left writing."""
    ex = Exports(release, result, result.workers > 1 if forks is None else forks, helper)
    try:
        yield ex
    finally:
        ex.kill()


def finalize(release: Path, result: BuildResult, report: Any, forks: bool | None = None) -> None:
    """Write every registered export into the (temporary) release folder, then the manifest: the ``report_free``
    exporters first, then the others, each in the registry's order. With ``forks`` (default: with workers), the
    background exporters run on forked processes, waited for before the manifest."""
    with exporting(release, result, forks) as ex:
        ex.after_report(report)
