"""Command-line interface: ``irbc build``, ``validate``, ``rehydrate``, ``publish``, ``review-template``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from irbc.core.errors import IrbcError
from irbc.core.result import BuildResult

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SUMMARY_COLUMNS = {
    "doc_id": "document",
    "sections": "sections",
    "paragraphs": "paras",
    "notes": "notes",
    "callouts_linked": "callouts linked",
    "notes_without_callout": "notes w/o callout",
    "callouts_without_note": "callouts w/o note",
    "chars_kept": "chars kept",
    "chars_removed": "chars removed",
    "mentions_lexicon": "mentions",
    "stances": "stances",
}


def _build(args: argparse.Namespace) -> int:
    from irbc.run.driver import build_release
    from irbc.run.options import BuildOptions

    opts = BuildOptions(
        corpus=Path(args.corpus),
        out=Path(args.out),
        on_bad_input=args.on_bad_input,
        text_policy=args.text_policy,
        workers=args.workers,
        executor=args.executor,
        scheduler=args.scheduler,
    )
    console = Console(stderr=True, quiet=args.quiet, width=max(Console(stderr=True).width, 150))
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"))
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("building", total=None)

        def tick(doc_id: str) -> None:
            progress.update(task, description=f"cleaning and splitting {doc_id}", advance=1)

        result, report, out = build_release(opts, tick, lambda what: progress.update(task, description=what))
    _print_summary(console, result)
    console.print(f"per-document stage ran on {result.ran_on}")
    console.print(f"release written to {out} ({report.n_checks} checks passed)")
    console.print(release_kind(out), markup=False, highlight=False, soft_wrap=True)
    return 0


def release_kind(release: Path) -> str:
    """One line on which kind of release this is, from its manifest's ``publishable`` record (release.rights)."""
    import json

    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    rights, policy = manifest["publishable"], manifest["text_policy"]
    if not rights["ok"]:
        docs = rights["documents_with_withheld_text"]
        return (
            f"{policy}-text release for local use, NOT publishable: it contains the text of {len(docs)} "
            f"document(s) whose redistribution is `withhold` ({', '.join(docs)}); for the publishable stand-off "
            "release run `irbc build --text-policy standoff --out DIR` (make release-standoff)"
        )
    kind = "stand-off release" if policy == "standoff" else f"{policy}-text release"
    return f"{kind}, publishable: {rights['reason']}"


def _print_summary(console: Console, result: BuildResult) -> None:
    t = Table(title="IR Balancing Corpus build summary")
    for c, head in SUMMARY_COLUMNS.items():
        t.add_column(head, justify="left" if c == "doc_id" else "right", no_wrap=c == "doc_id")
    for d in result.summary["documents"]:
        t.add_row(*(str(d[c]) for c in SUMMARY_COLUMNS))
    console.print(t)
    for s in result.skipped:
        console.print(f"[yellow]skipped[/] {s['reason']}")
    if result.scores:
        o = result.scores["overall"]
        console.print(f"lexicon_v1 vs curated_v1: precision {o['precision']:.3f}, recall {o['recall']:.3f}")


def _rehydrate(args: argparse.Namespace) -> int:
    from irbc.gate.release import validate_tables
    from irbc.release.exporters import finalize
    from irbc.release.standoff import rehydrate
    from irbc.release.writer import staged

    result = rehydrate(Path(args.release), Path(args.raw_dir))
    report = validate_tables(result.tables, result.summary, result.config["noise_probes"])
    if not report.passed:
        raise report.failure()
    with staged(Path(args.out)) as (tmp, out):
        result.tables.write(tmp / "data")
        finalize(tmp, result, report)
    Console(stderr=True).print(f"rehydrated release written to {out}")
    return 0


def _publish(args: argparse.Namespace) -> int:
    from irbc.release.publish import publish

    publish(Path(args.release), args.repo_id, dry_run=args.dry_run)
    return 0


def _validate(args: argparse.Namespace) -> int:
    from irbc.gate.release import validate_release

    report = validate_release(Path(args.release), workers=args.workers)
    console = Console()
    console.print(f"{report.n_checks} checks, {len(report.failures)} failed")
    if not report.passed:
        raise report.failure()
    return 0


def _review_template(args: argparse.Namespace) -> int:
    import yaml

    from irbc.run.single import review_template_for

    tpl = review_template_for(Path(args.corpus), args.doc_id)
    sys.stdout.write(yaml.safe_dump(tpl, sort_keys=False, allow_unicode=True, width=1000))
    return 0


def _add_build(sub: Any) -> None:
    b = sub.add_parser("build", help="build a release folder from a corpus folder")
    b.add_argument("--corpus", default=str(PROJECT_ROOT / "corpus"), help="corpus folder (default: corpus/)")
    b.add_argument("--out", default="release", help="release folder to write (default: release/)")
    b.add_argument("--on-bad-input", choices=["error", "skip"], default="error")
    b.add_argument(
        "--text-policy",
        choices=["full", "standoff"],
        default="full",
        help="standoff: withhold the text of documents whose rights do not allow redistribution",
    )
    b.add_argument("--workers", type=int, default=1, help="processes for the per-document stage (default 1)")
    b.add_argument(
        "--executor",
        choices=["local", "dask"],
        default="local",
        help="dask: run the per-document stage on a dask.distributed cluster",
    )
    b.add_argument("--scheduler", default=None, help="dask scheduler address (default: a LocalCluster)")
    b.add_argument("--quiet", action="store_true")
    b.set_defaults(func=_build)


def _add_others(sub: Any) -> None:
    h = sub.add_parser(
        "rehydrate", help="restore the withheld text of a stand-off release from your raw files"
    )
    h.add_argument("release")
    h.add_argument("raw_dir")
    h.add_argument("--out", required=True)
    h.set_defaults(func=_rehydrate)
    u = sub.add_parser(
        "publish", help="upload a validated release to the Hugging Face Hub (dry run by default)"
    )
    u.add_argument("release")
    u.add_argument("--repo-id", required=True, help="OWNER/NAME of the dataset repository")
    u.add_argument(
        "--no-dry-run", dest="dry_run", action="store_false", help="really upload (token from HF_TOKEN)"
    )
    u.set_defaults(func=_publish)
    v = sub.add_parser("validate", help="run every validation check on a release folder")
    v.add_argument("release")
    v.add_argument(
        "--workers", type=int, default=1, help="processes for the great-expectations suites (default 1)"
    )
    v.set_defaults(func=_validate)
    r = sub.add_parser(
        "review-template", help="print a curated-mention review file pre-filled for one document"
    )
    r.add_argument("doc_id")
    r.add_argument("--corpus", default=str(PROJECT_ROOT / "corpus"))
    r.set_defaults(func=_review_template)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="irbc", description="IR Balancing Corpus: build and validate the dataset."
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    _add_build(sub)
    _add_others(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except IrbcError as exc:
        sys.stderr.write(f"irbc {args.cmd}: error: {exc}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write(f"irbc {args.cmd}: interrupted; the previous release is untouched\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
