"""The release carries its own provenance (issue 17): the curated review decisions as ``mention_reviews`` rows,
the notes reviewed like the main text, the blind second pass as stance rows from which the reported agreement
can be recomputed, schools as an attribution of their own, and reported holders linked to the notes citing them."""

from __future__ import annotations

import re
from collections import Counter

import yaml

from conftest import run_cli, table


def _by_span(rows: list[dict], annotator: str) -> dict[tuple[str, int, int], dict]:
    return {(m["doc_id"], m["start"], m["end"]): m for m in rows if m["annotator"] == annotator}


def test_every_lexicon_mention_has_one_decision_and_every_curated_one_a_source(release):
    mentions, reviews = table(release, "concept_mentions"), table(release, "mention_reviews")
    lexicon, curated = _by_span(mentions, "lexicon_v1"), _by_span(mentions, "curated_v1")
    decided = Counter((v["doc_id"], v["start"], v["end"]) for v in reviews if v["decision"] != "add")
    assert set(decided) == set(lexicon) and set(decided.values()) == {1}
    produced = Counter((v["doc_id"], v["start"], v["end"]) for v in reviews if v["curated_concept_id"])
    assert set(produced) == set(curated) and set(produced.values()) == {1}
    for v in reviews:
        key = (v["doc_id"], v["start"], v["end"])
        if v["decision"] == "reject":  # the lexicon span exists, and nothing curated stands on it
            assert lexicon[key]["concept_id"] == v["lexicon_concept_id"] and key not in curated, v
            assert v["comment"], f"a reject gives its reason: {v['review_id']}"
        elif v["decision"] == "accept":
            assert lexicon[key]["concept_id"] == curated[key]["concept_id"] == v["curated_concept_id"], v
        elif v["decision"] == "add":
            assert key not in lexicon and curated[key]["concept_id"] == v["curated_concept_id"], v
        assert v["surface"] == (lexicon.get(key) or curated[key])["surface"]
    assert Counter(v["decision"] for v in reviews) == {"accept": 816, "add": 24, "reject": 12}


def test_review_rows_are_the_decisions_of_the_review_files(release):
    """Counted from the YAML files themselves, not from the code that turns them into rows."""
    from conftest import CORPUS

    reviews = Counter((v["doc_id"], v["decision"]) for v in table(release, "mention_reviews"))
    for path in sorted((CORPUS / "annotations" / "mentions").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        d = Counter("relabel" if x.get("relabel") else x["decision"] for x in data["decisions"])
        d["add"] = len(data["additions"])
        assert {k: n for k, n in d.items() if n} == {k[1]: n for k, n in reviews.items() if k[0] == path.stem}


def test_notes_are_curated_and_the_financial_hedging_title_is_rejected(release):
    notes = {n["note_id"]: n for n in table(release, "notes")}
    reviews = [v for v in table(release, "mention_reviews") if v["note_id"] is not None]
    assert sum(v["decision"] != "add" for v in reviews) == 117  # every lexicon mention in a note
    hedging = [v for v in reviews if "Hedging Against Risk" in notes[v["note_id"]]["text"]]
    assert [(v["surface"], v["decision"], v["curated_mention_id"]) for v in hedging] == [
        ("Hedging", "reject", None)
    ]
    # the "note 64" is the note id ...-n064 (0-based), endnote 65 of the article
    assert "Financial sense" in hedging[0]["comment"] and hedging[0]["note_id"].endswith("-n064")
    assert notes[hedging[0]["note_id"]]["label"] == "65"


def test_second_pass_rows_reproduce_the_reported_agreement(release):
    """Cohen's kappa recomputed here, independently, from the release rows, equals the DATASHEET's figures."""
    stances = table(release, "stances")
    first = {(s["doc_id"], s["target_id"]): s["stance"] for s in stances
             if s["annotator"] == "curated_v1" and s["holder"] == "author"}  # fmt: skip
    second = {
        (s["doc_id"], s["target_id"]): s["stance"]
        for s in stances
        if s["annotator"] == "curated_v1_second_pass"
    }
    assert set(second) == set(first) and len(first) == 40
    assert all(
        s["evidence"] == [] and s["rationale"] is None for s in stances if s["annotator"].endswith("_pass")
    )
    pairs = sorted(first)
    n = len(pairs)
    p_o = sum(first[k] == second[k] for k in pairs) / n
    ca, cb = Counter(first.values()), Counter(second.values())
    p_e = sum(ca[x] * cb[x] for x in ca) / n**2
    kappa = (p_o - p_e) / (1 - p_e)
    sheet = (release / "DATASHEET.md").read_text(encoding="utf-8")
    m = re.search(
        r"Observed agreement with `curated_v1`: \*\*([0-9.]+)\*\*; Cohen's κ: \*\*([0-9.]+)\*\*", sheet
    )
    assert m and (m.group(1), m.group(2)) == (f"{p_o:.3f}", f"{kappa:.3f}") == ("0.975", "0.957")


def test_schools_are_their_own_attribution(release):
    stances = [s for s in table(release, "stances") if s["annotator"] == "curated_v1"]
    schools = {(s["doc_id"].split("_")[0], s["holder"]) for s in stances if s["attribution"] == "school"}
    assert schools == {
        ("ross", "neorealist scholarship"),
        ("cox", "realism"),
        ("cox", "sceptics"),
        ("cox", "power shift theory"),
        ("ore", "soft balancing theorists"),
        ("reese", "offensive realism"),
        ("reese", "defensive realism"),
    }
    assert all(
        s["attribution"] == ("asserted" if s["holder"] == "author" else s["attribution"]) for s in stances
    )
    assert all("school" in s["rationale"] for s in stances if s["attribution"] == "school")


def test_reported_holders_link_the_notes_that_cite_them(release):
    notes = {n["note_id"]: n["text"] for n in table(release, "notes")}
    linked = {
        (s["doc_id"], s["holder"]): [notes[i] for i in s["holder_note_ids"]]
        for s in table(release, "stances")
    }
    assert [t[:18] for t in linked["ore_soft_balancing", "Kennedy"]] == ["Kennedy, R. (2016)"]
    lo = linked["cox_2021_comrades_putin_xi", "Bobo Lo"]
    assert len(lo) == 2 and all(t.startswith("Bobo Lo, ") for t in lo)
    assert linked["cox_2021_comrades_putin_xi", "Mary Dejevsky"][0].startswith("Mary Dejevsky")
    assert all(not ids for (d, h), ids in linked.items() if h == "author")


def test_a_note_mention_without_a_decision_fails_the_build(corpus_copy, tmp_path):
    path = corpus_copy / "annotations" / "mentions" / "ross_2020_sino_russian_relations.yaml"
    text = path.read_text(encoding="utf-8")
    cut = text.index(
        "- concept: hedging\n  surface: Hedging\n  context: 'Energy Policy: Hedging Against Risk,'"
    )
    end = text.index("additions:", cut)
    path.write_text(text[:cut] + text[end:], encoding="utf-8")
    proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "rel"), "--quiet")
    assert proc.returncode == 1
    assert "ross_2020_sino_russian_relations.yaml" in proc.stderr and "'Hedging'" in proc.stderr
    assert "have no decision" in proc.stderr and not (tmp_path / "rel").exists()


def test_stances_curated_view_leaves_out_the_second_pass(release):
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    stances = pq.read_table(release / "data" / "stances" / "train-00000-of-00001.parquet")
    view = pq.read_table(release / "data" / "stances_curated" / "train-00000-of-00001.parquet")
    assert view.equals(stances.filter(pc.equal(stances["annotator"], "curated_v1"))) and view.num_rows == 89
    assert stances.num_rows == 89 + 40


def test_an_accept_that_carries_a_relabel_fails_the_build(corpus_copy, tmp_path):
    """A relabel goes with a reject: an accepted mention with a relabel would be released as an accept of the
    tagger's concept while the file says otherwise."""
    path = corpus_copy / "annotations" / "mentions" / "cox_2021_comrades_putin_xi.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  context: 'Forming an Alliance: the Evidence'\n  decision: accept\n"
    assert text.count(old) == 1
    path.write_text(text.replace(old, old + "  relabel: strategic_partnership\n"), encoding="utf-8")
    proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(tmp_path / "rel"), "--quiet")
    assert proc.returncode == 1 and "cox_2021_comrades_putin_xi.yaml" in proc.stderr
    assert "cannot be relabelled" in proc.stderr and not (tmp_path / "rel").exists()


def test_a_review_file_is_read_and_applied_once_per_document(monkeypatch):
    """The curated layer and the mention_reviews table come from one application of the review file (issue 18:
    it was parsed with line marks and applied twice on the per-document path)."""
    from conftest import CORPUS
    from irbc.annotators import curated
    from irbc.run.context import make_context
    from irbc.stages.annotate import annotate_document
    from irbc.stages.document import process_document
    from irbc.stages.read import load_corpus_config, read_raw

    cfg = load_corpus_config(CORPUS)
    ctx = make_context(cfg, {}, "full")
    s = next(
        s for s in cfg.sources if (CORPUS / "annotations" / "mentions" / f"{s['doc_id']}.yaml").is_file()
    )
    raw, sha = read_raw(CORPUS / "raw" / s["source_file"])
    res = process_document(s, raw, cfg.rules, cfg.profile(s["site"]), sha)
    loads, applies = [], []
    real_load, real_apply = curated.load_config_file, curated.apply_review
    monkeypatch.setattr(curated, "load_config_file", lambda *a, **k: loads.append(a[0]) or real_load(*a, **k))
    monkeypatch.setattr(curated, "apply_review", lambda *a, **k: applies.append(a[0]) or real_apply(*a, **k))
    ann = annotate_document(ctx.annotators, res)
    assert len(loads) == 1 and applies == [s["doc_id"]]
    curated_rows = [m for m in ann.rows["concept_mentions"] if m["annotator"] == "curated_v1"]
    decisions = ann.rows["mention_reviews"]
    assert curated_rows and len(decisions) >= len(curated_rows)  # both tables were filled from the one review
