"""Sites without a profile use the `generic` profile and the rules of the site `generic`: the boilerplate of
scraped blogs and news pages (share buttons, bylines, dates, newsletter prompts, cookie notices, "Related" lists,
reading times, comment forms, photo credits) leaves the text through audited rules, trailing "[n]" / "n." lists
are notes, and the build warns once per such site. Three short texts in the style of three kinds of site, built
through the real CLI in a copy of the corpus (the five real documents keep their own profiles)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, run_cli, table
from irbc.stages.read import load_corpus_config

WORDPRESS = """Why Middle Powers Hedge Between Washington and Beijing

Posted by Maria Alvarez | March 3, 2024

5 min read

Share this:

Share on Facebook
Tweet
Email

Middle powers in Southeast Asia rarely choose sides outright. Instead, they practise hedging: they keep security \
ties with the United States while deepening trade with China [1].

Hedging as a strategy

The logic of hedging is insurance against an uncertain future. A state that hedges avoids the costs of balancing \
and the risks of bandwagoning [2].

Photo: A container ship in the Strait of Malacca. Credit: Reuters

Critics argue that hedging is only a label for indecision, but the pattern of behaviour is consistent across \
governments of different stripes.

Like this:

Like Loading...

Tags: hedging, Southeast Asia, middle powers

[1] Kuik, C.-C. (2016). How do weaker states hedge? Journal of Contemporary China, 25(100), 500–514.

[2] Goh, E. (2005). Meeting the China challenge. East-West Center.

3 Comments

Leave a Reply Cancel reply

Your email address will not be published. Required fields are marked *

Comment *

Name *

Email *

Website

Post Comment
"""

NEWS = """We use cookies to improve your experience on our site. By continuing to browse, you agree to our use of \
cookies.

Accept all cookies

Cookie settings

Russia and China Sign New Energy Pact as Sanctions Bite

By John Smith and Li Wei

Published: 12 February 2024 at 09:30 GMT

Updated 13 February 2024

Image: Presidents at the signing ceremony in Beijing (Getty Images)

Moscow and Beijing signed a long-term agreement on Monday to expand pipeline gas deliveries, a deal analysts said \
deepens an alignment that stops short of a formal alliance.

Advertisement

Officials on both sides described the pact as a response to Western pressure. Some observers call it soft \
balancing against the United States, while others see little more than commercial convenience.

Read more: How the Power of Siberia pipeline changed the gas market

Related

Five things to know about the Sino-Russian partnership

Why Central Asia is watching the pipeline talks closely

The agreement does not oblige either side to defend the other, and Chinese state banks remain wary of secondary \
sanctions.

What comes next

Negotiations on the price formula are expected to continue into the summer, according to two people familiar \
with the talks.

Share
Facebook Twitter LinkedIn Email

12 Shares
"""

NEWSLETTER = """The Hedging Dilemma

Subscribe

Sign up for our newsletter to get new posts in your inbox.

By Anna Kowalska

2024-05-20

Bandwagoning is usually described as the choice of weak states. Yet the record of the last decade suggests that \
even large powers hedge their bets when the distribution of power is in flux.

Thanks for reading The Hedging Dilemma! Subscribe for free to receive new posts and support my work.

Type your email…

Subscribe

Three observations

First, alignment is not alliance. China and Russia coordinate in the Security Council without any treaty \
obligation.

Second, the costs of balancing fall unevenly. Smaller neighbours bear most of them.

Third, none of this is new: the literature on the balance of power has said as much since the 1950s.

Leave a comment

Share

Notes

1. Walt, S. (1987). The Origins of Alliances. Cornell University Press.

2. Schweller, R. (1994). Bandwagoning for profit. International Security, 19(1), 72–107.
"""

# doc_id -> (site, genre, raw text)
DOCS = {
    "wp_middle_powers_hedge": ("wordpress_blog", "blog_post", WORDPRESS),
    "news_energy_pact": ("news_site", "blog_post", NEWS),
    "newsletter_hedging_dilemma": ("newsletter", "essay", NEWSLETTER),
}

# doc_id -> the boilerplate lines that must leave the text, each with the rule id that must have claimed it in the
# `removed` audit table
BOILERPLATE = {
    "wp_middle_powers_hedge": [
        ("Posted by Maria Alvarez | March 3, 2024", "generic_byline"),
        ("5 min read", "generic_reading_time"),
        ("Share this:", "generic_share_buttons"),
        ("Share on Facebook", "generic_share_buttons"),
        ("Tweet", "generic_share_buttons"),
        ("Email", "generic_share_buttons"),
        ("Photo: A container ship in the Strait of Malacca. Credit: Reuters", "generic_photo_credit"),
        ("Like this:", "generic_share_buttons"),
        ("Like Loading...", "generic_share_buttons"),
        ("Tags: hedging, Southeast Asia, middle powers", "generic_tags"),
        ("3 Comments", "generic_comment_prompt"),
        ("Leave a Reply Cancel reply", "generic_comment_form"),
        ("Your email address will not be published. Required fields are marked *", "generic_comment_form"),
        ("Post Comment", "generic_comment_form"),
    ],
    "news_energy_pact": [
        (
            "We use cookies to improve your experience on our site. By continuing to browse, you agree to our use "
            "of cookies.",
            "generic_cookie_notice",
        ),
        ("Accept all cookies", "generic_cookie_notice"),
        ("Cookie settings", "generic_cookie_notice"),
        ("By John Smith and Li Wei", "generic_byline"),
        ("Published: 12 February 2024 at 09:30 GMT", "generic_date"),
        ("Updated 13 February 2024", "generic_updated"),
        ("Image: Presidents at the signing ceremony in Beijing (Getty Images)", "generic_photo_credit"),
        ("Advertisement", "generic_advertisement"),
        ("Read more: How the Power of Siberia pipeline changed the gas market", "generic_read_more"),
        ("Related", "generic_related_links"),
        ("Five things to know about the Sino-Russian partnership", "generic_related_links"),
        ("Why Central Asia is watching the pipeline talks closely", "generic_related_links"),
        ("Share", "generic_share_buttons"),
        ("Facebook Twitter LinkedIn Email", "generic_share_buttons"),
        ("12 Shares", "generic_share_buttons"),
    ],
    "newsletter_hedging_dilemma": [
        ("Subscribe", "generic_newsletter"),
        ("Sign up for our newsletter to get new posts in your inbox.", "generic_newsletter"),
        ("By Anna Kowalska", "generic_byline"),
        ("2024-05-20", "generic_date"),
        (
            "Thanks for reading The Hedging Dilemma! Subscribe for free to receive new posts and support my work.",
            "generic_newsletter",
        ),
        ("Type your email…", "generic_newsletter"),
        ("Leave a comment", "generic_comment_prompt"),
        ("Share", "generic_share_buttons"),
    ],
}

# doc_id -> (title, headings below the title, notes as (label, text start))
STRUCTURE = {
    "wp_middle_powers_hedge": (
        "Why Middle Powers Hedge Between Washington and Beijing",
        ["Hedging as a strategy"],
        [("[1]", "Kuik, C.-C. (2016)."), ("[2]", "Goh, E. (2005).")],
    ),
    "news_energy_pact": ("Russia and China Sign New Energy Pact as Sanctions Bite", ["What comes next"], []),
    "newsletter_hedging_dilemma": (
        "The Hedging Dilemma",
        ["Three observations", "Notes"],
        [("1.", "Walt, S. (1987)."), ("2.", "Schweller, R. (1994).")],
    ),
}


def _add_sources(corpus: Path) -> None:
    entries = []
    for doc_id, (site, genre, text) in DOCS.items():
        (corpus / "raw" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        entries.append(
            f"  - doc_id: {doc_id}\n    source_file: {doc_id}.txt\n    site: {site}\n    genre: {genre}\n"
            "    language: en\n    doi: null\n    url: null\n    field_sources: {}\n    redistribution: withhold\n"
            "    redistribution_basis: 'A test text written for the generic profile.'\n"
        )
    with (corpus / "sources.yaml").open("a", encoding="utf-8") as f:
        f.write("".join(entries))


@pytest.fixture(scope="module")
def generic_build(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("generic")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    _add_sources(corpus)
    out = root / "release"
    proc = run_cli("build", "--corpus", str(corpus), "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return corpus, out, proc


def _rows(release: Path, name: str, doc_id: str) -> list[dict]:
    return [r for r in table(release, name) if r["doc_id"] == doc_id]


@pytest.mark.parametrize("doc_id", sorted(DOCS))
def test_boilerplate_leaves_the_text_through_the_generic_rules(generic_build, doc_id):
    _, release, _ = generic_build
    (doc,) = _rows(release, "documents", doc_id)
    removed = _rows(release, "removed", doc_id)
    lines = set(doc["text"].split("\n"))
    for line, rule in BOILERPLATE[doc_id]:
        assert line not in lines and line not in doc["text"], f"{line!r} is still in the text"
        hits = [r for r in removed if line in r["text"].splitlines()]
        assert hits and {r["reason"] for r in hits} == {rule}, (
            line,
            [(r["reason"], r["text"]) for r in hits],
        )
        assert all(r["action"] in ("remove", "metadata") for r in hits)
    assert {r["reason"] for r in removed if r["action"] != "normalize"} <= {r for _, r in BOILERPLATE[doc_id]}


@pytest.mark.parametrize("doc_id", sorted(DOCS))
def test_headings_paragraphs_and_notes_are_the_real_ones(generic_build, doc_id):
    _, release, _ = generic_build
    title, headings, notes = STRUCTURE[doc_id]
    (doc,) = _rows(release, "documents", doc_id)
    assert doc["title"] == title
    sections = sorted(_rows(release, "sections", doc_id), key=lambda s: s["position"])
    assert [s["heading"] for s in sections if s["heading"] and s["kind"] != "title"] == headings
    paragraphs = _rows(release, "paragraphs", doc_id)
    assert [p["text"] for p in paragraphs if p["kind"] == "heading"] == [title, *headings]
    body = [p["text"] for p in paragraphs if p["kind"] == "paragraph"]
    assert body and all(len(t) > 60 and t.rstrip().endswith((".", "]")) for t in body), body
    got = sorted(_rows(release, "notes", doc_id), key=lambda n: n["position"])
    assert [(n["label"], n["text"][: len(start)]) for n, (_, start) in zip(got, notes, strict=False)] == notes
    assert len(got) == len(notes)
    if notes:
        (notes_section,) = [s for s in sections if s["kind"] == "notes"]
        assert all(n["section_id"] == notes_section["section_id"] for n in got)
    for p in paragraphs:  # every span is its text
        assert doc["text"][p["start"] : p["end"]] == p["text"]


def test_bracketed_notes_are_linked_to_their_callouts(generic_build):
    _, release, _ = generic_build
    notes = _rows(release, "notes", "wp_middle_powers_hedge")
    (doc,) = _rows(release, "documents", "wp_middle_powers_hedge")
    for n in notes:
        assert [doc["text"][c["start"] : c["end"]] for c in n["callouts"]] == [n["label"]]


def test_bylines_dates_and_tags_go_to_metadata(generic_build):
    _, release, _ = generic_build
    docs = {d["doc_id"]: d for d in table(release, "documents") if d["doc_id"] in DOCS}
    assert docs["wp_middle_powers_hedge"]["authors"] == ["Maria Alvarez"]
    assert docs["wp_middle_powers_hedge"]["date"] == "2024-03-03"
    assert docs["wp_middle_powers_hedge"]["categories"] == ["hedging", "Southeast Asia", "middle powers"]
    assert docs["news_energy_pact"]["authors"] == ["John Smith and Li Wei"]
    assert docs["news_energy_pact"]["date"] == "2024-02-12"  # the publication date, not the update
    assert docs["newsletter_hedging_dilemma"]["authors"] == ["Anna Kowalska"]
    assert docs["newsletter_hedging_dilemma"]["date"] == "2024-05-20"


def test_real_documents_keep_their_profiles_and_no_generic_rule_touches_them(generic_build):
    _, release, _ = generic_build
    real = {d["doc_id"] for d in table(release, "documents")} - set(DOCS)
    assert len(real) == 5
    assert not [
        r for r in table(release, "removed") if r["doc_id"] in real and r["reason"].startswith("generic_")
    ]


def test_one_warning_line_per_site_without_a_profile(generic_build):
    corpus, _, _ = generic_build
    cfg = load_corpus_config(corpus)
    assert cfg.unprofiled_sites() == ["wordpress_blog", "news_site", "newsletter"]
    assert {cfg.profile_name(s) for s in cfg.unprofiled_sites()} == {"generic"}
    assert cfg.profile_name("lse_blogs") == "lse_blogs"
    warnings = cfg.profile_warnings()
    assert len(warnings) == 3
    for site, line in zip(cfg.unprofiled_sites(), warnings, strict=True):
        assert (
            line.startswith(f"warning: site '{site}' has no profile") and "generic profile was used" in line
        )


def test_the_build_prints_the_warning_once_per_site(generic_build):
    corpus, _, proc = generic_build
    for line in load_corpus_config(corpus).profile_warnings():
        assert (proc.stdout + proc.stderr).count(line) == 1, line
