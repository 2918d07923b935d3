"""Plots made from the tables at build time, written as SVG into ``explorer/plots/`` and shown by the explorer's
index and the dataset card (relative paths, so the Hub renders them): the curated concept × document heatmap,
the author-stance matrix, mentions per facet per document and the audit (raw characters removed or replaced, by
reason, per document). Only counts are drawn, never text, so a stand-off release has the same plots.

The bytes are stable: matplotlib's object API (no pyplot, no global backend), the Agg-based SVG writer with a
fixed ``svg.hashsalt``, no date in the metadata, DejaVu Sans (shipped with matplotlib) drawn as paths."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from irbc.core.result import BuildResult
from irbc.release.exporters import ExportContext, exporter
from irbc.release.stats import counts
from irbc.release.views import CURATED_MENTIONS

PLOTS_DIR = "plots"  # inside explorer/
RELEASE_DIR = f"explorer/{PLOTS_DIR}"
RC: dict[str, Any] = {
    "svg.hashsalt": "irbc",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "figure.dpi": 100,
}
METADATA = {"Date": None, "Creator": "irbc (matplotlib)"}
STANCES = ("favor", "against", "neutral", "none")
MAX_DOCUMENTS = 30  # beyond this, the plots have one column per site
HATCHES = ("", "///", "...", "xx", "\\\\", "++", "oo", "--")


@dataclass(frozen=True)
class Plot:
    name: str  # file stem
    title: str
    alt: str  # for the card and the explorer's <img>
    draw: Callable[[Any, BuildResult], None]  # fills a matplotlib Figure


def _columns(result: BuildResult) -> tuple[list[str], dict[str, str], str]:
    """The plots' document axis: one column per document up to MAX_DOCUMENTS, else one per site (a plot of
    thousands of columns is neither readable nor quick to draw). (labels, doc_id -> label, axis name)."""
    docs = result.tables.read("documents", ["doc_id", "site"]).to_pylist()
    if len(docs) <= MAX_DOCUMENTS:
        return [d["doc_id"] for d in docs], {d["doc_id"]: d["doc_id"] for d in docs}, "document"
    sites = sorted({d["site"] for d in docs})
    return sites, {d["doc_id"]: d["site"] for d in docs}, f"site ({len(docs)} documents)"


def _sum(n: Any, col: dict[str, str], doc_at: int) -> Counter[tuple[Any, ...]]:
    """Counts keyed by tuples with a doc_id at ``doc_at``, summed per column of the document axis."""
    out: Counter[tuple[Any, ...]] = Counter()
    for key, v in n.items():
        out[(*key[:doc_at], col[key[doc_at]], *key[doc_at + 1 :])] += v
    return out


def _grid(ax: Any, data: list[list[int]], rows: list[str], cols: list[str], cmap: str) -> None:
    """A heatmap with the value written in every cell (so colour is never the only signal)."""
    top = max((v for r in data for v in r), default=0) or 1
    ax.imshow(data, cmap=cmap, aspect="auto", vmin=0, vmax=top)
    ax.set_xticks(range(len(cols)), cols, rotation=30, ha="right")
    ax.set_yticks(range(len(rows)), rows)
    for i, r in enumerate(data):
        for j, v in enumerate(r):
            ax.text(
                j,
                i,
                f"{v:g}",
                ha="center",
                va="center",
                fontsize=7,
                color="white" if v > top / 2 else "black",
            )


def draw_concepts(fig: Any, result: BuildResult) -> None:
    concepts = result.tables.read("concepts", ["concept_id", "facet"]).to_pylist()
    concepts.sort(key=lambda c: (c["facet"], c["concept_id"]))
    mentions = result.tables.read("concept_mentions", ["doc_id", "concept_id", "annotator"])
    cols, col, axis = _columns(result)
    n = _sum(counts(mentions, ["annotator", "doc_id", "concept_id"]), col, 1)
    data = [[n[(CURATED_MENTIONS.annotator, d, c["concept_id"])] for d in cols] for c in concepts]
    fig.set_size_inches(7, 1.5 + 0.19 * len(concepts))
    ax = fig.add_subplot()
    _grid(ax, data, [f"{c['concept_id']} ({c['facet']})" for c in concepts], cols, "Blues")
    ax.set_title(f"Concept mentions per {axis.split()[0]} ({CURATED_MENTIONS.annotator})")
    ax.set_xlabel(axis)


def _stance_cell(got: Counter[str], one: bool) -> tuple[int, str]:
    """(colour code: the most frequent stance, or n/a; the label written in the cell)."""
    if not got:
        return len(STANCES), "n/a"
    top = max(STANCES, key=lambda s: (got[s], -STANCES.index(s)))
    label = top if one else "\n".join(f"{s} {got[s]}" for s in STANCES if got[s])
    return STANCES.index(top), label


def draw_stances(fig: Any, result: BuildResult) -> None:
    from matplotlib.colors import ListedColormap

    stances = result.tables.read("stances", ["doc_id", "target_id", "holder", "stance"]).to_pylist()
    targets = result.tables.read("stance_targets", ["target_id"])["target_id"].to_pylist()
    cols, col, axis = _columns(result)
    got: dict[tuple[str, str], Counter[str]] = {(c, t): Counter() for c in cols for t in targets}
    for s in stances:
        if s["holder"] == "author":
            got[(col[s["doc_id"]], s["target_id"])][s["stance"]] += 1
    cells = [[_stance_cell(got[(c, t)], axis == "document") for t in targets] for c in cols]
    fig.set_size_inches(8, 1.8 + 0.45 * len(cols))
    ax = fig.add_subplot()
    cmap = ListedColormap(["#4d9221", "#c51b7d", "#f1b6da", "#e0e0e0", "#ffffff"])
    ax.imshow([[code for code, _ in r] for r in cells], cmap=cmap, vmin=0, vmax=len(STANCES), aspect="auto")
    for i, row in enumerate(cells):
        for j, (code, label) in enumerate(row):
            ax.text(j, i, label, ha="center", va="center", fontsize=6, color="white" if code < 2 else "black")
    ax.set_xticks(range(len(targets)), targets, rotation=30, ha="right")
    ax.set_yticks(range(len(cols)), cols)
    ax.set_title(f"Author stances ({axis.split()[0]} × target)")


def draw_facets(fig: Any, result: BuildResult) -> None:
    concepts = result.tables.read("concepts", ["concept_id", "facet"]).to_pylist()
    facet_of = {c["concept_id"]: c["facet"] for c in concepts}
    facets = sorted(set(facet_of.values()))
    mentions = result.tables.read("concept_mentions", ["doc_id", "concept_id", "annotator"])
    cols, col, axis = _columns(result)
    per: Counter[tuple[str, str, str]] = Counter()
    for (layer, d, c), v in counts(mentions, ["annotator", "doc_id", "concept_id"]).items():
        per[(layer, col[d], facet_of.get(c, "?"))] += v
    fig.set_size_inches(8, 1.6 + 0.45 * len(cols))
    ax = fig.add_subplot()
    left = [0] * len(cols)
    for k, f in enumerate(facets):
        vals = [per[(str(CURATED_MENTIONS.annotator), d, f)] for d in cols]
        ax.barh(
            cols, vals, left=left, label=f, hatch=HATCHES[k % len(HATCHES)], edgecolor="black", linewidth=0.5
        )
        left = [a + b for a, b in zip(left, vals, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel(f"mentions ({CURATED_MENTIONS.annotator})")
    ax.legend(loc="lower right", fontsize=7)
    ax.set_title(f"Concept mentions per facet per {axis.split()[0]}")


def draw_audit(fig: Any, result: BuildResult) -> None:
    import pyarrow.compute as pc

    removed = result.tables.read("removed", ["doc_id", "reason", "raw_start", "raw_end"])
    chars = pc.subtract(removed["raw_end"], removed["raw_start"])
    cols, col, axis = _columns(result)
    n = _sum(counts(removed, ["reason", "doc_id"], chars), col, 1)
    reasons = sorted({r for r, _ in n})
    data = [[n[(r, d)] for d in cols] for r in reasons]
    fig.set_size_inches(7, 1.5 + 0.2 * len(reasons))
    ax = fig.add_subplot()
    _grid(ax, data, reasons, cols, "Oranges")
    ax.set_title(f"Audit: raw characters removed or replaced, by reason and {axis.split()[0]}")
    ax.set_xlabel(axis)


PLOTS = (
    Plot("concepts_by_document", "Concept × document heatmap (curated layer)",
         "Heatmap of curated concept mentions per concept and document, with the count in every cell", draw_concepts),
    Plot("author_stances", "Author stances, document × target",
         "Matrix of the authors' stances on each stance target, the stance written in every cell", draw_stances),
    Plot("mentions_by_facet", "Mentions per facet per document (curated layer)",
         "Stacked bars of curated mentions per facet for each document, one hatch pattern per facet", draw_facets),
    Plot("audit_by_reason", "Audit: characters removed by reason per document",
         "Heatmap of raw characters removed or replaced per cleaning reason and document", draw_audit),
)  # fmt: skip


def card_pictures() -> str:
    """The card's Pictures subsection: every plot as a Markdown image with a path relative to the release."""
    figs = "\n\n".join(f"**{p.title}.**\n\n![{p.alt}]({RELEASE_DIR}/{p.name}.svg)" for p in PLOTS)
    return (
        "Made from the tables when the release is built (SVG, in `explorer/plots/`; beyond "
        f"{MAX_DOCUMENTS} documents, one column per site instead of per document). To look at the documents "
        "themselves, open `explorer/index.html` from this folder in a browser: it works offline and shows each "
        "document with its concept mentions (both layers), stance evidence, notes and the removed spans of the "
        "audit (in a stand-off release, only what the release carries: metadata, offsets and counts).\n\n"
        + figs
    )


def render_svg(plot: Plot, result: BuildResult) -> bytes:
    import io

    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        fig = Figure(layout="constrained")
        plot.draw(fig, result)
        buf = io.BytesIO()
        fig.savefig(buf, format="svg", metadata=METADATA)
    return buf.getvalue()


def warm_up() -> None:
    """Import matplotlib and draw one small figure to SVG (discarded), as ``render_svg`` does: its modules,
    font and glyph caches are then loaded (about 0.8 s) before the plots are asked for. What a plot writes does
    not depend on it (the SVG ids come from ``svg.hashsalt`` and the content, not from a counter)."""
    import io

    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):  # type: ignore[arg-type]
        fig = Figure(layout="constrained")
        ax = fig.add_subplot()
        ax.imshow([[0, 1], [1, 0]], cmap="Blues", aspect="auto")
        ax.barh(["a", "b"], [1, 2], hatch="//", edgecolor="black", label="x")
        ax.legend(fontsize=7)
        ax.text(0, 0, "0 9 abc ABC (x) n/a", fontsize=7)
        ax.set_xticks([0, 1], ["doc_a", "doc_b"], rotation=30, ha="right")
        ax.set_title("warm-up")
        fig.savefig(io.BytesIO(), format="svg", metadata=METADATA)


@exporter(
    "plots_v1",
    *(f"{RELEASE_DIR}/{p.name}.svg" for p in PLOTS),
    description="plots made from the tables (SVG): concepts by document, author stances, mentions by facet, audit",
    background=True,  # about two seconds of matplotlib whatever the corpus: drawn while the others write
    prepare=warm_up,
    report_free=True,
)
def write_plots(release: Path, ctx: ExportContext) -> None:
    out = release / RELEASE_DIR
    out.parent.mkdir(exist_ok=True)  # never parents=True: a staging folder removed meanwhile stays removed
    out.mkdir(exist_ok=True)
    for p in PLOTS:
        (out / f"{p.name}.svg").write_bytes(render_svg(p, ctx.result))
