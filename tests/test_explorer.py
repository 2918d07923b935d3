"""The explorer and the plots without a browser (tests/test_explorer_browser.py opens the pages in Chromium):
links stay inside the folder and land on ids that exist, the inline markup nests where spans overlap, the plots
are stable SVG shown by the card, and the validation report opens with its summary and failures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from conftest import table
from irbc.core.result import BuildResult
from irbc.core.tables import TableStore
from irbc.gate.report import Check, Report
from irbc.release.explorer_markup import Item, render_span
from irbc.release.plots import PLOTS, RELEASE_DIR, render_svg
from irbc.release.report import render_report_html


class Page(HTMLParser):
    """Ids, links and sources of a page, and the text content of every element that has a given attribute."""

    def __init__(self, attr: str = "data-mention-id") -> None:
        super().__init__(convert_charrefs=True)
        self.attr, self.ids, self.refs = attr, set(), []
        self.open: list[tuple[str, str | None]] = []
        self.texts: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        self.refs += [a[k] for k in ("href", "src") if k in a]
        if tag not in ("meta", "link", "input", "img", "br"):
            self.open.append((tag, a.get(self.attr)))
            if a.get(self.attr):
                self.texts.setdefault(a[self.attr], "")

    def handle_endtag(self, tag):
        assert self.open and self.open[-1][0] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data):
        for _, key in self.open:
            if key:
                self.texts[key] += data


def parse(path: Path, attr: str = "data-mention-id") -> Page:
    p = Page(attr)
    p.feed(path.read_text(encoding="utf-8"))
    p.close()
    return p


def test_every_link_and_source_stays_in_the_folder_and_lands_on_an_id(release):
    folder = release / "explorer"
    pages = {p.name: parse(p) for p in folder.glob("*.html")}
    assert set(pages) == {"index.html", *(f"{d['doc_id']}.html" for d in table(release, "documents"))}
    for name, page in pages.items():
        assert page.refs, name
        for ref in page.refs:
            path, _, frag = ref.partition("#")
            assert "://" not in ref and not ref.startswith("/"), (name, ref)
            target = path or name
            assert (folder / target).is_file(), (name, ref)
            if frag and target.endswith(".html"):
                assert frag in pages[target].ids, (name, ref)


def test_each_document_page_follows_the_markup_contract(release):
    mentions = table(release, "concept_mentions")
    for d in table(release, "documents"):
        page = parse(release / "explorer" / f"{d['doc_id']}.html")
        mine = [m for m in mentions if m["doc_id"] == d["doc_id"]]
        assert page.texts == {m["mention_id"]: m["surface"] for m in mine}
        notes = [n for n in table(release, "notes") if n["doc_id"] == d["doc_id"]]
        sections = [s for s in table(release, "sections") if s["doc_id"] == d["doc_id"]]
        assert {n["note_id"] for n in notes} | {s["section_id"] for s in sections} <= page.ids
        assert sum(r == f"#{n['note_id']}" for n in notes for r in page.refs) == sum(
            len(n["callouts"]) for n in notes
        )
        ev = parse(release / "explorer" / f"{d['doc_id']}.html", "data-stance-id")
        stances = {  # the curated stances (the second pass's author labels are for agreement, not shown)
            s["stance_id"]
            for s in table(release, "stances")
            if s["doc_id"] == d["doc_id"] and s["annotator"] == "curated_v1"
        }
        assert set(ev.texts) == stances  # the panel and the evidence carry the stance ids
        evidence = [e for s in table(release, "stances") if s["doc_id"] == d["doc_id"] for e in s["evidence"]]
        html = (release / "explorer" / f"{d['doc_id']}.html").read_text(encoding="utf-8")
        assert len(re.findall(r'<mark class="ev" id="ev-', html)) == len(evidence)


def test_overlapping_spans_nest_or_reopen_and_mentions_keep_their_surface():
    text = "the soft balancing of power politics"
    items = [
        Item(4, 18, "m", (("data-mention-id", "curated"),)),
        Item(4, 18, "m", (("data-mention-id", "lexicon"),)),
        Item(9, 18, "m", (("data-mention-id", "inner"),)),
        Item(0, 12, "ev", (("id", "ev-0"), ("data-stance-id", "a")), tag="mark"),  # crosses "curated"
        Item(22, 36, "ev", (("id", "ev-1"), ("data-stance-id", "b")), tag="mark"),
    ]
    out = render_span(text, 0, len(text), items, {10: ['<span class="rm"></span>']})
    p = Page()
    p.feed(out)
    p.close()
    assert p.texts == {"curated": "soft balancing", "lexicon": "soft balancing", "inner": "balancing"}
    # cut at the edges of the two mentions it crosses: three pieces, the anchor id on the first alone
    assert out.count('id="ev-0"') == 1 and out.count('data-stance-id="a"') == 3
    assert '<mark id="ev-0" data-stance-id="a">the </mark><span data-mention-id="curated">' in out
    assert re.sub("<[^>]+>", "", out) == text


def test_plots_are_stable_svg_without_a_date(release):
    result = BuildResult(TableStore(folder=release / "data"), {}, {"text_policy": "full"})
    for p in PLOTS:
        data = (release / RELEASE_DIR / f"{p.name}.svg").read_bytes()
        assert render_svg(p, result) == data == render_svg(p, result), p.name
        root = ET.fromstring(data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert b"<dc:date>" not in data and b'xlink:href="http' not in data


def test_the_card_shows_every_plot_by_a_relative_path(release):
    card = (release / "README.md").read_text(encoding="utf-8")
    pictures = card.split("### Pictures", 1)[1].split("\n## ", 1)[0]
    images = re.findall(r"!\[([^\]]+)\]\(([^)]+)\)", pictures)
    assert [path for _, path in images] == [f"{RELEASE_DIR}/{p.name}.svg" for p in PLOTS]
    assert all((release / path).is_file() and alt for alt, path in images)
    assert "explorer/index.html" in pictures


def test_the_validation_report_opens_with_its_summary_and_failures_first():
    checks = [
        Check("keys unique", "notes", "great_expectations", True, 10, 0),
        Check("spans in range", "paragraphs", "integrity", False, 5, 2, ["p1: end < start", "p2: <b>&"]),
        Check("records", "notes", "jsonschema", True, 10, 0),
    ]
    out = render_report_html(Report(checks))
    assert "<h1>Validation report: FAILED</h1>" in out
    summary, failures, every = out.index("id='summary'"), out.index("id='failures'"), out.index("id='all'")
    assert summary < failures < every
    kinds = out[summary:failures]
    assert "<th scope='row'>integrity</th><td class='num'>0</td><td class='num'>1</td>" in kinds
    assert "<th scope='row'>notes</th><td class='num'>2</td><td class='num'>0</td>" in kinds
    assert out[failures:every].count("<tr class='fail'>") == 1 and "p2: &lt;b&gt;&amp;" in out[failures:every]
    rows = out[every:]
    assert rows.index("spans in range") < rows.index("keys unique") < rows.index("records")


def test_rows_are_grouped_by_document_whether_or_not_they_are_contiguous():
    import pyarrow as pa

    from irbc.release.explorer import DocGroups

    together = DocGroups(pa.table({"doc_id": ["b", "b", "a", "c"], "x": [1, 2, 3, 4]}))
    assert [r["x"] for r in together.rows("b")] == [1, 2] and together.rows("missing") == []
    apart = DocGroups(pa.table({"doc_id": ["b", "a", "b"], "x": [1, 2, 3]}))
    assert [r["x"] for r in apart.rows("b")] == [1, 3] and [r["x"] for r in apart.rows("a")] == [2]
