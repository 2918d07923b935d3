"""The table ``irbc build`` prints when it is done: the per-document figures of the build summary, what was
skipped, and the tagger's scores against the gold layer."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from irbc.core.result import BuildResult

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


def print_summary(console: Console, result: BuildResult) -> None:
    from rich.table import Table

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
