"""Golden end-to-end checks through the real CLI on the real corpus.

The expected values below were read off the raw texts by a person (titles, headings, note labels, the noise
each scrape carries), not produced by the code under test.
"""

from __future__ import annotations

import json

import pytest

from conftest import table

TITLES = {
    "ross_2020_sino_russian_relations": "Sino-Russian relations: the false promise of Russian balancing",
    "gervais_china_russia_alignment": "The China-Russia’s Alignment A 21st Century Neorealist Tandem",
    "cox_2021_comrades_putin_xi": "Comrades Putin and Xi",
    "ore_soft_balancing": "Soft Balancing",
    "reese_balanced_realism": "Balanced Realism: A 21st Century Approach to International Relations Theory",
}

# (doc, noise string removed by cleaning, text right next to it that must survive)
NOISE = [
    (
        "ross_2020_sino_russian_relations",
        "This is a preview of subscription content",
        "similar to other secondary powers, both in East Asia and elsewhere.",
    ),
    (
        "ross_2020_sino_russian_relations",
        "Springer Nature remains neutral",
        "Author’s interviews with Chinese government and military researchers.",
    ),
    (
        "ross_2020_sino_russian_relations",
        "Cite this article",
        "Author’s interviews with Chinese government and military researchers.",
    ),
    (
        "gervais_china_russia_alignment",
        "Russian President Vladimir Putin arrives in China",
        "Beijing and Moscow cannot be reduced to mere nation states",
    ),
    (
        "gervais_china_russia_alignment",
        "Une image contenant texte",
        "The assessment of the Sino-Chinese partnership underlines",
    ),
    (
        "gervais_china_russia_alignment",
        "Description générée automatiquement",
        "each part does not act naively",
    ),
    ("gervais_china_russia_alignment", "Leave a Reply", "or the Chinese Achilles’ heel?"),
    ("gervais_china_russia_alignment", "Author: Gabriel Gervais", "teaches us Carl Schmitt"),
    ("cox_2021_comrades_putin_xi", "LSE - Small Logo", "Comrades Putin and Xi"),
    ("cox_2021_comrades_putin_xi", "36 shares", "There has been a persistent reluctance"),
    ("cox_2021_comrades_putin_xi", "Estimated reading time", "There has been a persistent reluctance"),
    (
        "cox_2021_comrades_putin_xi",
        "This article gives the views of the author",
        "there’s plenty of potential for friction",
    ),
    ("cox_2021_comrades_putin_xi", "is licensed under", "The Conversation, 29 March 2021."),
    ("cox_2021_comrades_putin_xi", "Professor Michael Cox was appointed", "The Conversation, 29 March 2021."),
    (
        "ore_soft_balancing",
        "Find this resource:",
        "Theory of international relations. Reading, MA: Addison-Wesley",
    ),
    ("ore_soft_balancing", "will be available for subscription", "Soft Balancing"),
    ("ore_soft_balancing", "PRINTED FROM", "Summary and Keywords"),
    ("ore_soft_balancing", "Show Summary Details", "Summary and Keywords"),
    (
        "ore_soft_balancing",
        "Keywords: soft balancing",
        "demarcate the boundary of soft balancing theory from other research traditions.",
    ),
    (
        "reese_balanced_realism",
        "I help Veterans get the VA disability rating",
        "influencing state policies and international agreements.",
    ),
    (
        "reese_balanced_realism",
        "Brian Reese is a leading VA disability benefits expert",
        "influencing state policies and international agreements.",
    ),
    ("reese_balanced_realism", "\n--\n", "Balanced Realism offers a new perspective"),
]


@pytest.fixture(scope="module")
def docs(release):
    return {d["doc_id"]: d for d in table(release, "documents")}


def test_five_documents_with_titles(docs):
    assert {k: d["title"] for k, d in docs.items()} == TITLES


def test_metadata_from_the_text(docs):
    ross = docs["ross_2020_sino_russian_relations"]
    assert ross["authors"] == ["Robert S. Ross"]
    assert (ross["venue"], ross["volume"], ross["pages"], ross["date"]) == (
        "Int Polit",
        "57",
        "834–854",
        "2020",
    )
    assert ross["keywords"] == ["Sino-Russia relations", "Rise of China", "Balance of power", "Bandwagoning"]
    assert ross["publisher"] == "Springer Nature"
    assert ross["ethics_statement"].startswith(
        "The author does not have a financial or personal relationship"
    )
    cox = docs["cox_2021_comrades_putin_xi"]
    assert (cox["authors"], cox["date"], cox["categories"]) == (["Michael Cox"], "2021-04-13", ["Diplomacy"])
    assert cox["author_bio"].startswith("Professor Michael Cox was appointed to a Chair at the LSE in 2002.")
    ore = docs["ore_soft_balancing"]
    assert ore["authors"] == [] and ore["date"] is None, "the scrape names no author and no publication date"
    assert ore["printed_date"] == "2017-08-16"
    assert ore["keywords"][:2] == ["soft balancing", "balance of power"]
    assert ore["rights"].startswith(
        "(c) Oxford University Press USA, 2016. All Rights Reserved. Personal use only"
    )
    assert docs["gervais_china_russia_alignment"]["authors"] == ["Gabriel Gervais"]
    assert docs["gervais_china_russia_alignment"]["date"] is None
    reese = docs["reese_balanced_realism"]
    assert reese["authors"] == ["Brian Reese"]
    assert (
        reese["subtitle"] == "Balanced Realism helps to explain how states think and act in the 21st century"
    )
    assert all(d["doi"] is None and d["url"] is None for d in docs.values()), "never guessed"


@pytest.mark.parametrize(("doc_id", "noise", "neighbour"), NOISE)
def test_noise_removed_and_neighbouring_text_kept(docs, doc_id, noise, neighbour):
    text = docs[doc_id]["text"]
    assert noise not in text
    assert neighbour in text


def test_typography_and_whitespace(docs):
    for d in docs.values():
        t = d["text"]
        assert "\u00a0" not in t and "  " not in t and "\n\n\n" not in t and "•" not in t
    assert "Russian balancing" in docs["ross_2020_sino_russian_relations"]["text"]
    assert "China’s growing presence" in docs["ross_2020_sino_russian_relations"]["text"], (
        "curly apostrophe kept"
    )


def test_headings(release):
    heads = {}
    for s in table(release, "sections"):
        heads.setdefault(s["doc_id"], []).append((s["heading"], s["kind"], s["level"]))
    assert [h for h, _, lvl in heads["cox_2021_comrades_putin_xi"] if lvl == 1 and h] == [
        "Beyond convenient?",
        "The sceptics",
        "New consensus?",
        "Denying the obvious?",
    ]
    assert [h for h, _, _ in heads["ore_soft_balancing"]][:5] == [
        "Soft Balancing",
        "Summary and Keywords",
        None,
        "Unipolarity and the Soft Balancing Debate in International Security",
        "The Post-International Security Debate—Ten Years of Soft Balancing Scholarship",
    ]
    assert ("Problems and Prospects", "body", 1) in heads["ore_soft_balancing"]
    assert heads["ore_soft_balancing"][-1][1] == "references"
    reese = heads["reese_balanced_realism"]
    assert ("Core Principles", "body", 1) in reese
    assert ("Anarchic International System:", "body", 2) in reese, "trailing colon marks a Medium subheading"
    assert ("Conclusion", "conclusion", 1) in reese
    assert ("What is Balanced Realism?", "faq", 2) in reese
    gervais = heads["gervais_china_russia_alignment"]
    assert [h for h, _, _ in gervais] == ["The China-Russia’s Alignment A 21st Century Neorealist Tandem"] + [
        None
    ] * 5, "an untitled opening section and four breaks marked by double blank lines"
    assert heads["ross_2020_sino_russian_relations"] == [
        (TITLES["ross_2020_sino_russian_relations"], "title", 0),
        (None, "abstract", 1),
        (None, "notes", 1),
    ]
    assert heads["cox_2021_comrades_putin_xi"][1] == (None, "summary", 1)


def test_notes_labels_and_callouts(release):
    notes = {}
    for n in table(release, "notes"):
        notes.setdefault(n["doc_id"], []).append(n)
    ross = notes["ross_2020_sino_russian_relations"]
    assert [n["label"] for n in ross] == [str(i) for i in range(1, 68)]
    assert all(n["kind"] == "endnote" for n in ross)
    n53 = ross[52]
    assert "Russian Military Capability in a. Ten-Year Perspective—2016" in n53["text"], (
        "note split over raw lines is one note"
    )
    cox = notes["cox_2021_comrades_putin_xi"]
    assert [n["label"] for n in cox] == [f"[{i}]" for i in range(1, 24) if i != 20]
    assert all(len(n["callouts"]) == 1 for n in cox)
    ore = notes["ore_soft_balancing"]
    assert len(ore) == 39 and all(n["kind"] == "reference" and n["label"] is None for n in ore)
    assert (
        ore[0]["text"]
        == "Art, R. J. (2005/2006). Striking the balance. International Security, 30(3), 177–185."
    )
    pape = next(n for n in ore if n["text"].startswith("Pape, R. A. (2005)"))
    assert len(pape["callouts"]) >= 3, "Pape (2005) is cited several times"
    assert "gervais_china_russia_alignment" not in notes and "reese_balanced_realism" not in notes


def test_diagnostics_report_orphans(release):
    summary = json.loads((release / "build_summary.json").read_text())
    diags = summary["diagnostics"]
    cox = [d for d in diags if d["doc_id"] == "cox_2021_comrades_putin_xi"]
    assert [d["code"] for d in cox] == ["callout_without_note"] and "[20]" in cox[0]["message"]
    ross = [d for d in diags if d["doc_id"] == "ross_2020_sino_russian_relations"]
    assert len(ross) == 67 and {d["code"] for d in ross} == {"note_without_callout"}, (
        "the preview has no body text"
    )


def test_paragraph_kinds(release):
    paras = table(release, "paragraphs")
    cox = [p for p in paras if p["doc_id"] == "cox_2021_comrades_putin_xi"]
    assert [p["kind"] for p in cox[:6]] == [
        "heading",
        "list_item",
        "list_item",
        "list_item",
        "heading",
        "quotation",
    ]
    assert cox[6]["text"] == "Mary Dejevsky [1]" and cox[6]["kind"] == "quotation"
    ore_q = [p for p in paras if p["doc_id"] == "ore_soft_balancing" and p["kind"] == "quotation"]
    assert [p["text"][:40] for p in ore_q] == ["a state’s balancing strategies are shape"]


def test_spans_and_raw_offsets(release):
    import hashlib

    from conftest import CORPUS

    docs = {d["doc_id"]: d for d in table(release, "documents")}
    for p in table(release, "paragraphs"):
        d = docs[p["doc_id"]]
        assert d["text"][p["start"] : p["end"]] == p["text"]
        raw = (CORPUS / "raw" / d["source_file"]).read_text(encoding="utf-8")
        assert hashlib.sha256(raw.encode()).hexdigest() == d["raw_sha256"]
        # the raw span holds the same words as the paragraph (modulo whitespace, bullets and labels)
        assert p["text"].split()[-1] in raw[p["raw_start"] : p["raw_end"]]


def test_audit_balances_against_the_raw_files(release):
    from conftest import CORPUS

    docs = {d["doc_id"]: d for d in table(release, "documents")}
    removed = table(release, "removed")
    for doc_id, d in docs.items():
        raw = (CORPUS / "raw" / d["source_file"]).read_text(encoding="utf-8")
        rows = sorted((r for r in removed if r["doc_id"] == doc_id), key=lambda r: r["raw_start"])
        covered, pos, clean = 0, 0, []
        for r in rows:
            assert r["raw_start"] >= pos, "audit spans never overlap"
            clean.append(raw[pos : r["raw_start"]])
            clean.append(r["replacement"])
            assert raw[r["raw_start"] : r["raw_end"]] == r["text"]
            covered += r["raw_end"] - r["raw_start"]
            pos = r["raw_end"]
        clean.append(raw[pos:])
        kept = len(raw) - covered
        assert kept + covered == len(raw)
        assert "".join(clean) == d["text"], f"{doc_id}: raw minus audit spans is not the clean text"
    reasons = {r["reason"] for r in removed}
    assert {
        "springer_paywall",
        "lse_logo",
        "duplicated_header",
        "ore_find_this_resource",
        "office_alt_text_fr",
        "blog_comment_form",
        "medium_self_promotion",
        "ws_nbsp",
        "ws_line_join",
        "note_label_dedup",
    } <= reasons


def test_every_document_target_pair_has_exactly_one_author_stance(release):
    from collections import Counter

    targets = [t["target_id"] for t in table(release, "stance_targets")]
    assert len(targets) == 8
    stances = table(release, "stances")
    docs = [d["doc_id"] for d in table(release, "documents")]
    for layer in ("curated_v1", "curated_v1_second_pass"):  # the curated layer and the blind second pass
        n = Counter(
            (s["doc_id"], s["target_id"])
            for s in stances
            if s["holder"] == "author" and s["annotator"] == layer
        )
        assert {(d, t): n[(d, t)] for d in docs for t in targets} == {
            (d, t): 1 for d in docs for t in targets
        }
    assert {s["annotator"] for s in stances} == {"curated_v1", "curated_v1_second_pass"}
    assert all(s["holder"] == "author" for s in stances if s["annotator"] == "curated_v1_second_pass")
    none_rows = [s for s in table(release, "stances") if s["stance"] == "none"]
    assert none_rows and all(s["evidence"] == [] for s in none_rows)
    # reported holders named in the texts (the encyclopedia's soft-balancing debate, the LSE post's sceptics)
    holders = {(s["doc_id"], s["holder"]) for s in table(release, "stances")}
    assert ("ore_soft_balancing", "Brooks and Wohlforth") in holders and (
        "ore_soft_balancing",
        "Pape",
    ) in holders
    assert ("cox_2021_comrades_putin_xi", "Bobo Lo") in holders


def test_mentions_are_stand_off_and_named(release):
    docs = {d["doc_id"]: d["text"] for d in table(release, "documents")}
    mentions = table(release, "concept_mentions")
    assert {m["annotator"] for m in mentions} == {"lexicon_v1", "curated_v1"}
    for m in mentions:
        assert docs[m["doc_id"]][m["start"] : m["end"]] == m["surface"]
        assert (m["paragraph_id"] is None) != (m["note_id"] is None)
    curated = [m for m in mentions if m["annotator"] == "curated_v1"]
    # the curated layer covers paragraphs and notes: 117 note mentions reviewed, 2 rejected, 3 added
    assert sum(m["note_id"] is not None for m in curated) == 118
    assert sum(m["note_id"] is not None for m in mentions if m["annotator"] == "lexicon_v1") == 117
    # the specific-over-generic rule on the real text: "soft balancing" is never also tagged "balancing"
    spans = {
        (m["doc_id"], m["start"], m["end"]): m["concept_id"]
        for m in mentions
        if m["annotator"] == "lexicon_v1"
    }
    for (d, s, e), c in spans.items():
        if c == "soft_balancing":
            assert not any(
                c2 == "balancing" and d2 == d and s <= s2 < e for (d2, s2, e2), c2 in spans.items()
            )
