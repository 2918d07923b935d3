"""Command-line interface: ``irbc build``, ``validate``, ``rehydrate``, ``publish``, ``review-template``,
``export``, ``import``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from irbc.core.errors import IrbcError

if TYPE_CHECKING:  # rich and the build's modules are imported when a command needs them (see main)
    from rich.console import Console


PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _console(quiet: bool = False) -> Console:
    """stderr, as wide as the terminal; a log (not a terminal) gets 150 columns so table rows stay whole."""
    from rich.console import Console

    probe = Console(stderr=True)
    return Console(stderr=True, quiet=quiet, width=None if probe.is_terminal else 150)


def _plain(stderr: bool = True) -> Console:
    from rich.console import Console

    return Console(stderr=stderr)


def _build(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, Progress, TextColumn

    from irbc.release.manifest import release_kind
    from irbc.run.driver import build_release
    from irbc.run.options import BuildOptions
    from irbc.run.summary import print_summary

    opts = BuildOptions(
        corpus=Path(args.corpus),
        out=Path(args.out),
        on_bad_input=args.on_bad_input,
        text_policy=args.text_policy,
        workers=args.workers,
        executor=args.executor,
        scheduler=args.scheduler,
    )
    console = _console(args.quiet)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        TextColumn("{task.completed}/{task.total}"),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("building", total=None)

        def tick(doc_id: str, done: int, total: int) -> None:
            progress.update(task, description="building", completed=done, total=total)

        result, report, out = build_release(
            opts,
            tick,
            lambda what: progress.update(task, description=what),
            gate=getattr(args, "gate", None),
            helper=getattr(args, "helper", None),
        )
    for warning in result.warnings:  # shown even with --quiet
        _console().print(f"[yellow]{warning}[/]", highlight=False)
    print_summary(console, result)
    console.print(f"per-document stage ran on {result.ran_on}")
    console.print(
        f"release written to {out} ({report.n_checks} content checks passed; "
        "`irbc validate` adds the release-file checks)"
    )
    console.print(release_kind(out), markup=False, highlight=False, soft_wrap=True)
    return 0


def _rehydrate(args: argparse.Namespace) -> int:
    from irbc.gate.release import validate_tables
    from irbc.release.exporters import finalize
    from irbc.release.standoff import rehydrate
    from irbc.release.writer import check_target, staged

    protected = {"the input release": Path(args.release), "the raw folder": Path(args.raw_dir)}
    check_target(Path(args.out), protected)
    result = rehydrate(Path(args.release), Path(args.raw_dir))
    report = validate_tables(result.tables, result.summary, result.config["noise_probes"])
    if not report.passed:
        raise report.failure()
    with staged(Path(args.out)) as (tmp, out):
        result.tables.write(tmp / "data")
        finalize(tmp, result, report)
    _plain().print(f"rehydrated release written to {out}")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from irbc.release.publish import publish

    publish(Path(args.release), args.repo_id, dry_run=args.dry_run)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from irbc.gate.release import validate_release

    report = validate_release(Path(args.release), workers=args.workers)
    console = _plain(stderr=False)
    console.print(report.count_line(), soft_wrap=True)
    if not report.passed:
        raise report.failure()
    return 0


def _review_template(args: argparse.Namespace) -> int:
    import yaml

    from irbc.run.single import review_template_for

    tpl = review_template_for(Path(args.corpus), args.doc_id)
    text = yaml.safe_dump(tpl, sort_keys=False, allow_unicode=True, width=1000)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    from irbc.core.io import write_atomic

    write_atomic(Path(args.out), text)
    _plain().print(f"review template for {args.doc_id} written to {args.out}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from irbc.formats.export import export_release

    rec = export_release(Path(args.release), args.format, Path(args.out), args.annotator)
    _plain().print(
        f"{args.format} export of {len(rec['documents'])} documents ({rec['mentions']} {args.annotator} mentions, "
        f"{rec['evidence']} pieces of stance evidence) written to {args.out}",
        highlight=False,
        soft_wrap=True,
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from irbc.formats.corrections import import_corrections

    changes = import_corrections(args.format, Path(args.folder), Path(args.corpus))
    console = _plain()
    for c in changes:
        what = ", ".join(f"{n} {k}" for k, n in sorted(c.counts.items()) if n) or "no changes"
        where = f" -> {c.file}" if c.new_text is not None else ""
        console.print(f"{c.doc_id}: {what}{where}", highlight=False, soft_wrap=True)
    n = sum(1 for c in changes if c.new_text is not None)
    console.print(
        f"{n} review file(s) changed; run `irbc build` to rebuild the release",
        highlight=False,
        soft_wrap=True,
    )
    return 0


def _add_source(args: argparse.Namespace) -> int:
    from irbc.run.add_source import NewSource, add_source

    src = NewSource(Path(args.raw_file), args.doc_id, args.site, args.genre, args.language,
                    args.redistribution, args.redistribution_basis, args.notes)  # fmt: skip
    entry = add_source(Path(args.corpus), src)
    console = _console()
    console.print(f"added {entry['doc_id']} ({entry['source_file']}, SHA-256 {entry['raw_sha256'][:12]}…) "
                  f"to {Path(args.corpus) / 'sources.yaml'}", highlight=False)  # fmt: skip
    console.print(
        "fields the source does not state are null; check redistribution before you publish", highlight=False
    )
    return 0


def _workers(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _command(sub: Any, name: str, help: str) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, help=help, description=help, allow_abbrev=False)
    return p


def _add_build(sub: Any) -> None:
    b = _command(sub, "build", "build a release folder from a corpus folder (validated before it is written)")
    b.add_argument("--corpus", default=str(PROJECT_ROOT / "corpus"), help="corpus folder (default: corpus/)")
    b.add_argument(
        "--out",
        default="release",
        help="release folder to write (default: release/); it must be missing, empty or an irbc release",
    )
    b.add_argument(
        "--on-bad-input",
        choices=["error", "skip"],
        default="error",
        help="error (default): stop at the first bad raw file; skip: build the rest and list what was skipped",
    )
    b.add_argument(
        "--text-policy",
        choices=["full", "standoff"],
        default="full",
        help="standoff: withhold the text of documents whose rights do not allow redistribution",
    )
    b.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="processes for the per-document stage, the explorer's pages and the plots (default 1)",
    )
    b.add_argument(
        "--executor",
        choices=["local", "dask"],
        default="local",
        help="local (default): this machine's processes; dask: a dask.distributed cluster",
    )
    b.add_argument(
        "--scheduler", default=None, help="with --executor dask: scheduler address (default: a LocalCluster)"
    )
    b.add_argument("--quiet", action="store_true", help="print nothing but errors")
    b.set_defaults(func=_build)


def _add_release_commands(sub: Any) -> None:
    h = _command(sub, "rehydrate", "restore the withheld text of a stand-off release from your raw files")
    h.add_argument("release", help="the stand-off release folder")
    h.add_argument("raw_dir", help="folder with your copies of the raw files (checked by SHA-256)")
    h.add_argument(
        "--out", required=True, help="folder for the full release (missing, empty or an irbc release)"
    )
    h.set_defaults(func=_rehydrate)
    u = _command(sub, "publish", "upload a validated release to the Hugging Face Hub (dry run by default)")
    u.add_argument("release", help="the release folder")
    u.add_argument("--repo-id", required=True, help="OWNER/NAME of the dataset repository")
    u.add_argument(
        "--no-dry-run", dest="dry_run", action="store_false", help="really upload (token from HF_TOKEN)"
    )
    u.set_defaults(func=_publish)
    v = _command(sub, "validate", "run every validation check on a release folder")
    v.add_argument("release", help="the release folder")
    v.add_argument(
        "--workers", type=_workers, default=1, help="processes for the great-expectations suites (default 1)"
    )
    v.set_defaults(func=_validate)


def _add_curator_commands(sub: Any) -> None:
    r = _command(sub, "review-template", "write a curated-mention review file pre-filled for one document")
    r.add_argument("doc_id", help="the document (a doc_id of sources.yaml)")
    r.add_argument("--corpus", default=str(PROJECT_ROOT / "corpus"), help="corpus folder (default: corpus/)")
    r.add_argument(
        "--out",
        default=None,
        help="file to write (default: standard output); review files live in "
        "corpus/annotations/mentions/<doc_id>.yaml",
    )
    r.set_defaults(func=_review_template)
    a = _command(
        sub, "add-source", "add a raw text to a corpus: copy it to raw/ and append its sources.yaml entry"
    )
    a.add_argument("raw_file", help="the raw text (UTF-8)")
    a.add_argument("--doc-id", required=True, help="stable id: lower-case letters, digits, underscores")
    a.add_argument(
        "--site", required=True, help="site tag (picks the profile and rules; unknown sites: generic)"
    )
    a.add_argument("--genre", required=True, choices=_genres(), help="kind of text")
    a.add_argument("--language", required=True, help="language tag of the text, for example en")
    a.add_argument("--redistribution", choices=["withhold", "allowed"], default="withhold",
                   help="may the clean text be redistributed? (default: withhold)")  # fmt: skip
    a.add_argument("--redistribution-basis", default=None,
                   help="the rights statement the decision rests on (default: not reviewed yet)")  # fmt: skip
    a.add_argument("--notes", default=None, help="remarks about the scrape, shown in the DATASHEET")
    a.add_argument("--corpus", default=str(PROJECT_ROOT / "corpus"), help="corpus folder (default: corpus/)")
    a.set_defaults(func=_add_source)


def _add_format_commands(sub: Any) -> None:
    from irbc.formats.registry import export_names, import_names

    e = _command(sub, "export", "export a full-text release's annotations for an annotation tool")
    e.add_argument("release", help="the release folder (full text; rehydrate a stand-off release first)")
    e.add_argument("--format", required=True, choices=export_names(), help="the tool's format")
    e.add_argument(
        "--out", required=True, help="folder to write (missing, empty or an unchanged irbc export)"
    )
    e.add_argument("--annotator", default="curated_v1", help="mention layer to export (default: curated_v1)")
    e.set_defaults(func=_export)
    i = _command(sub, "import", "turn corrected annotations into changes of the curated review files")
    i.add_argument("folder", help="the export folder, corrected in the tool")
    i.add_argument("--format", required=True, choices=import_names(), help="the format of the folder")
    i.add_argument("--corpus", default=str(PROJECT_ROOT / "corpus"), help="corpus folder (default: corpus/)")
    i.set_defaults(func=_import)


def _genres() -> list[str]:
    from irbc.core.schema import load_schema

    genres: list[str] = load_schema("sources_manifest")["properties"]["sources"]["items"]["properties"][
        "genre"
    ]["enum"]
    return genres


def parser() -> argparse.ArgumentParser:
    from irbc import DATASET_VERSION, __version__

    p = argparse.ArgumentParser(
        prog="irbc", description="IR Balancing Corpus: build and validate the dataset.", allow_abbrev=False
    )
    p.add_argument("--version", action="version", version=f"irbc {__version__} (dataset {DATASET_VERSION})")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")
    _add_build(sub)
    _add_release_commands(sub)
    _add_curator_commands(sub)
    _add_format_commands(sub)
    return p


class Terminated(BaseException):
    """SIGTERM, raised in the main process so every staging folder is cleaned up on the way out."""


def _on_sigterm(pid: int) -> Any:
    def handler(signum: int, frame: Any) -> None:
        if os.getpid() != pid:  # a forked worker: die quietly, the main process cleans up
            os._exit(128 + signum)
        raise Terminated()

    return handler


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if getattr(args, "scheduler", None) and args.executor != "dask":
        p.error("--scheduler needs --executor dask")
    signal.signal(signal.SIGTERM, _on_sigterm(os.getpid()))
    from irbc.run.early import early_processes  # imports nothing heavy: it forks before the build's imports

    early = early_processes(args)
    try:
        return int(args.func(args))
    except IrbcError as exc:
        sys.stderr.write(f"irbc {args.cmd}: error: {exc}\n")
        return 1
    except OSError as exc:  # a file-system failure no stage turned into an IrbcError: still one line
        where = f"{exc.filename}: " if exc.filename else ""
        sys.stderr.write(f"irbc {args.cmd}: error: {where}{exc.strerror or exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"irbc {args.cmd}: interrupted; the previous release is untouched\n")
        return 130
    except Terminated:
        sys.stderr.write(f"irbc {args.cmd}: terminated; the previous release is untouched\n")
        return 143
    finally:
        for proc in early:
            proc.close()


if __name__ == "__main__":
    sys.exit(main())
