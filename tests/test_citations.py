"""citations_v1, works and the author–year callouts (issue 16): expected values written from the notes' text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import table
from irbc.stages.citation_fields import parse_note_citation, parse_reference
from irbc.stages.works import Works, work_citations, work_key, work_rows, works_from


def _by_id(release: Path, name: str, key: str) -> dict[str, dict]:
    return {r[key]: r for r in table(release, name)}


def test_springer_note_with_three_works(release: Path) -> None:
    rows = [r for r in table(release, "citations") if r["note_id"] == "ross_2020_sino_russian_relations-n000"]
    assert [r["first_author_surname"] for r in rows] == ["Khlebnikov", "Bandow", "Shines"]
    assert rows[1]["title"] == "A Nixon Strategy to Break the Russia-China Axis"
    assert rows[1]["container"] == "The National Interest" and rows[1]["year"] == "2017"
    assert all(r["annotator"] == "citations_v1" and r["kind"] == "web" for r in rows)


def test_short_forms_point_to_the_full_citation(release: Path) -> None:
    cites = _by_id(release, "citations", "citation_id")
    waltz = cites["ross_2020_sino_russian_relations-n018-c0"]
    assert waltz["ibid"] and waltz["refers_to"] == "ross_2020_sino_russian_relations-n003-c1"
    assert waltz["locator"] == "p. 127"
    pape = cites["ross_2020_sino_russian_relations-n022-c1"]  # never cited in full in the article
    assert pape["ibid"] and pape["refers_to"] is None
    assert cites["cox_2021_comrades_putin_xi-n013-c0"]["refers_to"] == "cox_2021_comrades_putin_xi-n012-c0"


def test_citation_spans_lie_in_their_note(release: Path) -> None:
    notes = _by_id(release, "notes", "note_id")
    docs = _by_id(release, "documents", "doc_id")
    for c in table(release, "citations"):
        n = notes[c["note_id"]]
        assert n["start"] <= c["start"] < c["end"] <= n["end"], c["citation_id"]
        text = docs[c["doc_id"]]["text"][c["start"] : c["end"]]
        if c["title"]:
            assert c["title"] in text, c["citation_id"]


def test_reference_entry_fields() -> None:
    f = parse_reference(
        "Brooks, S. G., & Wohlforth, W. C. (2005). Hard times for soft balancing. International Security, 30(1), 72–108."
    )
    assert f is not None
    assert f.authors == ["Brooks, S. G.", "Wohlforth, W. C."]
    assert (f.year, f.title, f.container, f.volume, f.issue, f.pages, f.kind) == (
        "2005", "Hard times for soft balancing", "International Security", "30", "1", "72–108", "article",
    )  # fmt: skip
    book = parse_reference(
        "Walt, S. M. (1987). The origins of alliance. Ithaca, NY: Cornell University Press."
    )
    assert book is not None and (book.kind, book.container) == ("book", "Cornell University Press")


def test_comment_gives_no_citation() -> None:
    assert parse_note_citation("Some scholars have characterized this diplomacy as “hedging.”") is None


def test_works_shared_across_documents(release: Path) -> None:
    works = table(release, "works")
    cites = {r["citation_id"] for r in table(release, "citations")}
    assert all(set(w["citation_ids"]) <= cites for w in works)
    shared = {w["first_author_surname"] for w in works if len(w["doc_ids"]) > 1}
    assert {"Waltz", "Schweller"} <= shared
    assert (
        work_key(
            {
                "first_author_surname": "Dursun-Özkanca",
                "year": "2016",
                "title": "Turkish soft balancing against the EU? An",
            }
        )
        == "dursun ozkanca|2016|turkish soft balancing against the"
    )


def _links(release: Path) -> list[tuple[str, str, str | None]]:
    docs = _by_id(release, "documents", "doc_id")
    text = docs["ore_soft_balancing"]["text"]
    out = []
    for n in table(release, "notes"):
        if n["doc_id"] == "ore_soft_balancing":
            for c in n["callouts"]:
                out.append((text[c["start"] : c["end"]], n["text"].split(" (")[0], c["locator"]))
    return out


@pytest.mark.parametrize(
    ("span", "entry", "locator"),
    [
        ("Saltzman (2012", "Saltzman, I. Z.", None),  # "He and Feng, Saltzman (2012"
        ("Pape (2005", "Pape, R. A.", None),  # "First, Pape (2005)"
        ("Paul (2005, p. 47", "Paul, T. V.", "p. 47"),  # "Second, Paul (2005, p. 47)"
        ("He argues (2012, p. 154", "He, K.", "p. 154"),
        ("(2005, p. 10)", "Pape, R. A.", "p. 10"),  # page-only back reference
        ("(2010, p. 1126)", "Whitaker, B. E.", "p. 1126"),
        ("Friedman & Long, 2015, p. 122", "Friedman, M. P., & Long, T.", "p. 122"),
    ],
)
def test_author_year_links(release: Path, span: str, entry: str, locator: str | None) -> None:
    assert (span, entry, locator) in _links(release)


def test_no_link_to_he_2012_from_saltzman(release: Path) -> None:
    assert not [x for x in _links(release) if "Saltzman" in x[0] and x[1] == "He, K."]
    brooks = [x for x in _links(release) if x[0] == "Brooks and Wohlforth (2005"]
    assert len(brooks) == 3  # "First, Brooks and Wohlforth (2005)" is linked too


def test_scores_and_callout_counts_reported(release: Path) -> None:
    summary = json.loads((release / "build_summary.json").read_text(encoding="utf-8"))["summary"]
    sc = summary["citation_scores"]
    assert sc["notes"] >= 40 and sc["fields"]["title"]["tp"] > 0
    ore = next(d for d in summary["documents"] if d["doc_id"] == "ore_soft_balancing")
    assert ore["callouts_distinct"] < ore["callouts_linked"]
    sheet = (release / "DATASHEET.md").read_text(encoding="utf-8")
    assert f"{ore['callouts_distinct']} " in sheet and "citation found (row level)" in sheet
    assert "### Citation graph" in (release / "README.md").read_text(encoding="utf-8")


def test_csl_json_reads_back_with_citeproc(release: Path) -> None:
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads((release / "works.json").read_text(encoding="utf-8"))
    works = table(release, "works")
    assert [i["id"] for i in items] == [w["work_id"] for w in works]
    bib = CitationStylesBibliography(
        CitationStylesStyle("harvard-cite-them-right", validate=False), CiteProcJSON(items), formatter.plain
    )
    for it in items:
        bib.register(Citation([CitationItem(it["id"])]))
    entries = [str(x) for x in bib.bibliography()]
    assert len(entries) == len(items)
    pape = next(w for w in works if w["key"].startswith("pape|2005|"))
    assert set(pape["doc_ids"]) == {"ross_2020_sino_russian_relations", "ore_soft_balancing"}
    assert any("Pape, R.A. (2005)" in e and "International Security" in e for e in entries)


def test_bibtex_reads_back_with_bibtexparser(release: Path) -> None:
    import bibtexparser

    lib = bibtexparser.parse_string((release / "works.bib").read_text(encoding="utf-8"))
    assert not lib.failed_blocks
    works = {w["work_id"]: w for w in table(release, "works")}
    assert {e.key for e in lib.entries} == set(works)
    walt = next(e for e in lib.entries if works[e.key]["key"] == "walt|1987|the origins of alliance")
    assert walt.entry_type == "book" and walt.fields_dict["publisher"].value == "Cornell University Press"
    art = next(e for e in lib.entries if works[e.key]["key"].startswith("brooks|2005|"))
    assert (art.entry_type, art.fields_dict["journal"].value, art.fields_dict["pages"].value) == (
        "article",
        "International Security",
        "72–108",
    )


def _cite(cid: str, doc: str, sur: str | None, year: str | None, title: str | None, **kw: object) -> dict:
    row = {"citation_id": cid, "doc_id": doc, "first_author_surname": sur, "authors": [sur] if sur else None}
    row |= {"year": year, "title": title, "container": None, "volume": None, "issue": None, "pages": None}
    return row | {"kind": "book", "ibid": False, "refers_to": None} | kw


def test_works_group_short_forms_aliases_and_sources() -> None:
    """Hand-made citations: a short form takes its full citation's work; a year-less citation in another
    document joins the one dated work with its surname and title words; a work first seen through an "ibid."
    takes its fields from the first full citation with its own key, not from an aliased one."""
    cites = [
        _cite("a-c0", "a", "Pape", "2005", "Soft Balancing Against the United States"),
        _cite("a-c1", "a", "Pape", None, "Soft balancing", ibid=True, refers_to="a-c0"),
        _cite("b-c0", "b", "Pape", None, "Soft balancing against the United States."),
        _cite("b-c1", "b", "Walt", "1987", None, ibid=True, container="ibid source"),
        _cite("c-c0", "c", "Walt", None, None, container="year-less, aliased"),
        _cite("c-c1", "c", "Walt", "1987", None, container="first full"),
        _cite("c-c2", "c", None, None, None),  # names neither an author nor a title: no work
    ]
    works = work_rows(cites)
    got = [(w["key"], w["doc_ids"], w["citation_ids"], w["container"]) for w in works]
    assert got == [
        ("pape|2005|soft balancing against the united", ["a", "b"], ["a-c0", "a-c1", "b-c0"], None),
        ("walt|1987|", ["b", "c"], ["b-c1", "c-c0", "c-c1"], "first full"),
    ]
    assert [w["work_id"] for w in works] == ["w0000", "w0001"] and works[0]["year"] == "2005"
    # the driver gets the citations a document at a time: the same works
    per_doc = [c for d in "abc" for c in work_citations([x for x in cites if x["doc_id"] == d])]
    assert works_from(per_doc) == works


def test_release_works_are_the_works_of_its_citations(release: Path) -> None:
    """The works the build made from the workers' tuples are those of the released citations, taken whole."""
    assert table(release, "works") == work_rows(table(release, "citations"))


def test_a_work_first_cited_without_a_year_keeps_its_place_and_first_fields() -> None:
    """A year-less citation that is aliased to a dated work cited later: the work stands where the year-less
    one does, takes its fields (it is not an "ibid." form), and lists the citations in order across documents
    fed one document at a time."""
    a = [
        _cite("a-c0", "a", "Walt", "1987", "The Origins of Alliances"),
        _cite("a-c1", "a", "Paul", None, "Soft"),
    ]
    b = [
        _cite("b-c0", "b", "Paul", "2005", "Soft"),
        _cite("b-c1", "b", "Walt", None, "The origins of alliances"),
    ]
    works = Works()
    for doc in (a, b):
        works.add(work_citations(doc))
    got = [(w["key"], w["year"], w["doc_ids"], w["citation_ids"]) for w in works.rows()]
    assert got == [
        ("walt|1987|the origins of alliances", "1987", ["a", "b"], ["a-c0", "b-c1"]),
        ("paul|2005|soft", None, ["a", "b"], ["a-c1", "b-c0"]),
    ]


def _reference_works(citations: list[dict]) -> list[tuple]:
    """The grouping as first written (every citation's row held until the end), kept here as the spec."""
    from irbc.stages.works import _aliases

    by_id = {c["citation_id"]: c for c in citations}
    keyed = []
    for c in citations:
        full = by_id.get(c["refers_to"]) if c.get("refers_to") else None
        src = full if full is not None else c
        if work_key(src) is not None:
            keyed.append((work_key(src), c, src))
    alias = _aliases([k for k, _, _ in keyed])
    works: dict = {}
    for key, c, src in keyed:
        key = alias.get(key, key)
        w = works.setdefault(key, {"src": None, "doc_ids": [], "citation_ids": []})
        if w["src"] is None or (w["src"]["ibid"] and not src["ibid"] and work_key(src) == key):
            w["src"] = src
        w["citation_ids"].append(c["citation_id"])
        if c["doc_id"] not in w["doc_ids"]:
            w["doc_ids"].append(c["doc_id"])
    return [(k, w["src"]["container"], w["doc_ids"], w["citation_ids"]) for k, w in works.items()]


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_works_gathered_a_document_at_a_time_follow_the_spec(data: st.DataObject) -> None:
    docs = []
    for d in range(data.draw(st.integers(1, 4))):
        cites: list[dict] = []
        for k in range(data.draw(st.integers(0, 6))):
            ref = data.draw(st.sampled_from([None, *(c["citation_id"] for c in cites)]))
            cites.append(
                _cite(
                    f"d{d}-c{k}",
                    f"d{d}",
                    data.draw(st.sampled_from(["Walt", "Paul", None])),
                    data.draw(st.sampled_from(["1987", "2005", None])),
                    data.draw(st.sampled_from(["Soft balancing", "Origins", None])),
                    ibid=data.draw(st.booleans()),
                    refers_to=ref,
                    container=f"from d{d}-c{k}",
                )
            )
        docs.append(cites)
    works = Works()
    for cites in docs:
        works.add(work_citations(cites))
    got = [(w["key"], w["container"], w["doc_ids"], w["citation_ids"]) for w in works.rows()]
    assert got == _reference_works([c for cites in docs for c in cites])
