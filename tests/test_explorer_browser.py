"""The explorer in a real browser: Debian's headless Chromium (``/usr/bin/chromium``) driven by Playwright, never
a downloaded browser. Every page is opened from disk (file://); every request is recorded and must stay in the
release's explorer folder, and no page may log a console error. Without Chromium these tests are skipped on a
workstation and fail in CI (``CI`` set), so CI can never pass without running them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import table

CHROMIUM = os.environ.get("IRBC_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DOCS = [
    "ross_2020_sino_russian_relations",
    "gervais_china_russia_alignment",
    "cox_2021_comrades_putin_xi",
    "ore_soft_balancing",
    "reese_balanced_realism",
]


def _unavailable(why: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {why} (.ci/run installs chromium)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Opened:
    """A page of the explorer, with every request it made and every console error and page error."""

    def __init__(self, browser: Any, release: Path, name: str, width: int = 1280) -> None:
        self.folder = (release / "explorer").resolve()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto((self.folder / name).as_uri())

    def close(self) -> None:
        from urllib.parse import unquote, urlsplit

        self.page.close()
        assert self.errors == []
        assert self.requests
        for url in self.requests:
            parts = urlsplit(url)
            assert parts.scheme == "file", url
            assert Path(unquote(parts.path)).resolve().is_relative_to(self.folder), url

    def js(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)


MENTIONS = """layer => [...document.querySelectorAll('[data-mention-id]')].map(e => ({
  id: e.dataset.mentionId, concept: e.dataset.conceptId, layer: e.dataset.layer, text: e.textContent,
  marked: getComputedStyle(e).textDecorationLine.includes('underline') && e.classList.contains('on')}))"""


def rows(release: Path, name: str, doc_id: str) -> list[dict[str, Any]]:
    return [r for r in table(release, name) if r["doc_id"] == doc_id]


@pytest.mark.parametrize("doc_id", DOCS)
def test_mentions_layers_and_audit_in_the_browser(browser, release, doc_id):
    assert {d["doc_id"] for d in table(release, "documents")} == set(DOCS)
    o = Opened(browser, release, f"{doc_id}.html")
    mentions = rows(release, "concept_mentions", doc_id)
    shown = o.js(MENTIONS)
    assert sorted(m["id"] for m in shown) == sorted(m["mention_id"] for m in mentions)  # each once
    want = {m["mention_id"]: (m["concept_id"], m["annotator"], m["surface"]) for m in mentions}
    assert all(want[m["id"]] == (m["concept"], m["layer"], m["text"]) for m in shown)
    assert {m["id"] for m in shown if m["marked"]} == {k for k, v in want.items() if v[1] == "curated_v1"}

    o.page.get_by_label("lexicon_v1").check()
    shown = o.js(MENTIONS)
    lexicon = {k for k, v in want.items() if v[1] == "lexicon_v1"}
    assert lexicon and {m["id"] for m in shown if m["marked"]} == lexicon

    removed = rows(release, "removed", doc_id)
    assert o.page.locator(".rm").first.is_hidden()
    o.page.get_by_label("Audit view", exact=False).check()
    markers = o.js(
        """() => [...document.querySelectorAll('[data-removal-id]')].map(e => ({id: e.dataset.removalId,
        reason: e.dataset.reason, text: e.dataset.text, shown: e.getClientRects().length > 0 &&
        getComputedStyle(e, '::before').content.includes(e.dataset.reason)}))"""
    )
    assert sorted((m["id"], m["reason"], m["text"]) for m in markers) == sorted(
        (r["removal_id"], r["reason"], r["text"]) for r in removed
    )
    assert all(m["shown"] for m in markers)
    o.close()


def test_callouts_jump_to_their_note_and_back(browser, release):
    doc_id = "cox_2021_comrades_putin_xi"
    notes = [n for n in rows(release, "notes", doc_id) if n["callouts"]]
    assert notes
    o = Opened(browser, release, f"{doc_id}.html")
    for n in notes[:3]:
        o.page.locator(f'a.callout[href="#{n["note_id"]}"]').first.click()
        assert o.js("() => location.hash") == f"#{n['note_id']}"
        assert o.js("id => document.activeElement.id", None) == n["note_id"]  # focus moved too
        assert o.page.locator(f"[id='{n['note_id']}']").is_visible()
        top = o.js("id => document.getElementById(id).getBoundingClientRect().top", n["note_id"])
        assert -1 <= top < 900  # scrolled to it (sub-pixel rounding)
        o.page.locator(f"[id='{n['note_id']}'] a.back").first.click()
        assert o.js("() => location.hash") == f"#co-{n['note_id']}-0"
    o.close()


def test_stance_panel_links_to_its_evidence(browser, release):
    doc_id = "ross_2020_sino_russian_relations"
    # the panel shows the curated layer (the second pass has labels only, no evidence or rationale)
    stances = [s for s in rows(release, "stances", doc_id) if s["annotator"] == "curated_v1"]
    assert stances
    o = Opened(browser, release, f"{doc_id}.html")
    panel = o.js("() => [...document.querySelectorAll('li.stance')].map(e => e.dataset.stanceId)")
    assert panel == [s["stance_id"] for s in stances]
    o.page.locator("#st-0 a", has_text="evidence 1").click()
    got = o.js("() => [document.activeElement.tagName, location.hash]")
    assert got[1] == "#ev-0-0"
    ev = o.js("() => document.getElementById('ev-0-0').dataset.stanceId")
    assert ev == stances[0]["stance_id"]
    o.close()


def test_a_mention_shows_its_concept_on_keyboard_focus_and_on_hover(browser, release):
    doc_id = "ore_soft_balancing"
    o = Opened(browser, release, f"{doc_id}.html")
    concepts = {c["concept_id"]: c for c in table(release, "concepts")}
    for _ in range(60):  # tab through the controls and links until the first mention
        o.page.keyboard.press("Tab")
        if o.js("() => document.activeElement.classList.contains('m')"):
            break
    cid = o.js("() => document.activeElement.dataset.conceptId")
    assert cid in concepts
    tip = o.page.locator("#tip")
    assert tip.is_visible()
    assert concepts[cid]["label"] in tip.inner_text() and concepts[cid]["definition"] in tip.inner_text()
    o.page.keyboard.press("Escape")
    assert tip.is_hidden()
    other = o.page.locator(".m.on").nth(5)  # and on hover
    other.hover()
    hovered = concepts[other.get_attribute("data-concept-id")]
    assert tip.is_visible() and hovered["definition"] in tip.inner_text()
    o.close()


def test_index_search_plots_and_stance_matrix(browser, release):
    o = Opened(browser, release, "index.html")
    docs = table(release, "documents")
    assert o.js("() => [...document.querySelectorAll('table.docs a')].length") == len(docs)
    loaded = o.js(
        "() => [...document.images].map(i => [i.getAttribute('src'), i.complete && i.naturalWidth > 0])"
    )
    assert len(loaded) == 4 and all(ok for _, ok in loaded)
    o.page.locator("#q").fill("soft balancing")
    hits = o.js("() => [...document.querySelectorAll('#hits a')].map(a => a.getAttribute('href'))")
    paras = [p for p in table(release, "paragraphs") if "soft balancing" in p["text"].lower()]
    assert hits and len(hits) >= min(len(paras), 100)
    o.page.locator("#hits a").first.click()
    first = hits[0].split("#")[1]
    assert o.js("() => location.hash") == f"#{first}"
    assert o.js("id => !!document.getElementById(id)", first)
    o.close()
    o = Opened(browser, release, "index.html")
    author = {
        (s["doc_id"], s["target_id"]): s["stance"]
        for s in table(release, "stances")
        if s["holder"] == "author" and s["annotator"] == "curated_v1"  # the matrix shows the curated layer
    }
    cells = o.js(
        "() => [...document.querySelectorAll('table.matrix tr')].slice(1).map(r => [...r.cells].map(c => c.textContent))"
    )
    targets = [t["target_id"] for t in table(release, "stance_targets")]
    for d, row in zip(docs, cells, strict=True):
        assert row[0] == d["doc_id"]
        assert [c.split()[-1] for c in row[1:]] == [
            author.get((d["doc_id"], t), "annotated") for t in targets
        ]
    o.close()


def test_pages_are_readable_in_a_narrow_window(browser, release):
    for name in ("index.html", "reese_balanced_realism.html"):
        o = Opened(browser, release, name, width=380)
        overflow = o.js("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (name, overflow)
        o.close()
