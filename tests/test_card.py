"""The dataset card follows the Hub's dataset card template, read back with huggingface_hub (offline): its header
fields, every section heading of the template in order, answers drawn from the corpus description and the tables,
split sizes from the Parquet files, and nothing that a Markdown renderer would eat as HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import table
from irbc.core.schema import TABLES


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


def card(release: Path):
    from huggingface_hub import DatasetCard

    return DatasetCard.load(release / "README.md")


def desc(release: Path) -> dict:
    return yaml.safe_load((release / "build_inputs" / "dataset.yaml").read_text(encoding="utf-8"))


def headings(markdown: str) -> list[tuple[int, str]]:
    """(level, text) of every ATX heading outside code blocks."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (m := re.match(r"^(#{1,6}) (.+?)\s*$", line)):
            out.append((len(m[1]), m[2]))
    return out


def template_headings() -> list[tuple[int, str]]:
    """The headings of the dataset card template installed with huggingface_hub, ``[optional]`` dropped."""
    import huggingface_hub

    path = Path(huggingface_hub.__file__).parent / "templates" / "datasetcard_template.md"
    text = path.read_text(encoding="utf-8").split("---\n", 2)[2]
    return [(n, h.replace(" [optional]", "")) for n, h in headings(text)]


def section(text: str, title: str) -> str:
    """The body of a section (up to the next heading of any level)."""
    m = re.search(rf"^#{{1,6}} {re.escape(title)}\n", text, re.M)
    assert m, title
    return re.split(r"\n#{1,6} ", text[m.end() :], maxsplit=1)[0]


def folded(s: str) -> str:
    return " ".join(s.split())


def test_every_heading_of_the_hub_template_appears_in_order(release):
    ours = headings(card(release).text)
    want = template_headings()
    assert want[0][0] == 1 and want[0][1].startswith("Dataset Card for ")
    assert ours[0] == (1, f"Dataset Card for {desc(release)['name']} (version {card(release).data.version})")
    at = 0
    for level, title in want[1:]:
        idx = [i for i, h in enumerate(ours) if h == (level, title) and i > at]
        assert idx, f"{'#' * level} {title} missing or out of order"
        at = idx[0]


def test_header_fields_read_back_with_huggingface_hub(release):
    data = card(release).data
    hub = desc(release)["hub"]
    assert data.pretty_name == desc(release)["name"] and data.language == ["en"]
    assert (
        data.license == "other"
        and data.license_name == "irbc-mixed-rights"
        and data.license_link == "LICENSE"
    )
    # stances label a (document, target) pair with one of four classes; nothing is token-level
    assert data.task_categories == ["text-classification"]
    assert data.task_ids == ["multi-class-classification", "multi-input-text-classification"]
    assert not {"token-classification", "named-entity-recognition", "sentiment-classification"} & {
        *data.task_categories,
        *data.task_ids,
    }
    assert (
        data.annotations_creators == ["expert-generated", "machine-generated"] == hub["annotations_creators"]
    )
    assert data.language_creators == ["found"] and data.source_datasets == ["original"]
    assert data.multilinguality == ["monolingual"]
    largest = max(len(table(release, t)) for t in TABLES)
    # 1550 before the notes were curated (issue 17): + 117 note mentions - 2 rejected + 3 added = 1668
    assert largest == len(table(release, "concept_mentions")) == 1668 and data.size_categories == ["1K<n<10K"]


def test_annotations_creators_agree_with_the_annotator_registry(release):
    import irbc.annotators  # noqa: F401
    from irbc.annotators.registry import registered

    creators = set(card(release).data.annotations_creators)
    assert ("machine-generated" in creators) == any(a.automatic for a in registered())
    assert ("expert-generated" in creators) == any(not a.automatic for a in registered())


def test_size_category_buckets():
    from irbc.release.hf import size_category

    assert [size_category(n) for n in (0, 999, 1000, 1550, 9999, 10_000, 10**12 - 1, 10**13)] == [
        "n<1K",
        "n<1K",
        "1K<n<10K",
        "1K<n<10K",
        "1K<n<10K",
        "10K<n<100K",
        "100B<n<1T",
        "n>1T",
    ]


def test_split_sizes_come_from_the_parquet_files(release):
    import pyarrow.parquet as pq

    infos = card(release).data.dataset_info
    configs = {c["config_name"]: c for c in card(release).data.configs}
    assert [i["config_name"] for i in infos] == list(configs)
    for info in infos:
        (path,) = sorted((release / "data" / info["config_name"]).glob("train-*.parquet"))
        meta = pq.ParquetFile(path).metadata
        (split,) = info["splits"]
        assert split["name"] == "train" and split["num_examples"] == meta.num_rows
        assert split["num_bytes"] == info["dataset_size"] > 0
        assert split["num_bytes"] == sum(
            meta.row_group(i).total_byte_size for i in range(meta.num_row_groups)
        )
        assert info["download_size"] == path.stat().st_size
        assert configs[info["config_name"]]["data_files"] == [
            {"split": "train", "path": f"data/{info['config_name']}/train-*.parquet"}
        ]


def test_answers_come_from_the_description(release):
    """Section by section, the corpus description's answers are in the card (placeholders filled)."""
    text = card(release).text
    d = desc(release)
    c, s = d["card"], d["datasheet"]
    expected = {
        "Dataset Description": [s["creators"], s["funding"], s["language_variety"]],
        "Direct Use": [c["intended_uses"]],
        "Out-of-Scope Use": [c["out_of_scope_uses"]],
        "Curation Rationale": [s["purpose"], s["curation_rationale"]],
        "Data Collection and Processing": [s["sample"], s["acquisition"], s["mechanisms"], s["timeframe"]],
        "Annotation process": [s["annotation_protocol"], s["stance_protocol"]],
        "Who are the annotators?": [s["annotator_description"]],
        "Personal and Sensitive Information": [s["people"], s["confidential"], s["offensive"]],
        "Bias, Risks, and Limitations": [c["limitations"], s["annotation_bias"], s["known_errors"]],
        "Recommendations": [s["caveats"]],
        "Dataset Card Authors": [c["card_authors"]],
        "Dataset Card Contact": [s["contact"]],
    }
    for title, answers in expected.items():
        body = folded(section(text, title))
        for answer in answers:
            for piece in re.split(r"\{\w+\}", answer):  # the parts around the build's placeholders
                assert folded(piece) in body, (title, piece)
    assert d["citation"]["repository"] is d["card"]["paper"] is d["card"]["demo"] is None
    sources = folded(section(text, "Dataset Sources"))
    assert "**Repository:** not assigned - **Paper:** none - **Demo:** none" in sources
    assert folded(section(text, "Dataset Card Contact")) == "Through the repository's issue tracker."


def test_source_data_producers_are_the_documents_table(release):
    body = section(card(release).text, "Who are the source data producers?")
    for d in table(release, "documents"):
        row = next(ln for ln in body.splitlines() if ln.startswith(f"| {d['doc_id']} |"))
        assert ("; ".join(d["authors"]) or "not stated") in row
        assert (d["publisher"] or "not stated") in row


def test_annotation_layers_come_from_the_registry(release):
    import irbc.annotators  # noqa: F401
    from irbc.annotators.registry import registered
    from irbc.release.markdown import md_text

    body = section(card(release).text, "Annotation layers")
    from collections import Counter

    per_layer = Counter(
        (m["annotator"], t)
        for t in ("concept_mentions", "stances", "mention_reviews")
        for m in table(release, t)
    )
    for a in registered():
        row = f"| `{a.name}` | `{a.table}` | {'automatic' if a.automatic else 'by people'} | "
        row += f"{per_layer[a.name, a.table]} | {md_text(a.description)} |"
        assert row in body, row
    assert "`concept_mentions_curated`" in body


def test_apa_reference_comes_from_the_citation_record(release):
    from irbc import DATASET_VERSION

    rec = desc(release)["citation"]
    apa = folded(section(card(release).text, "Citation").split("**APA:**", 1)[1])
    assert apa.startswith(
        f"{rec['authors'][0]['name']}. ({rec['date_released'][:4]}). *{rec['title']}* "
        f"(Version {DATASET_VERSION}) [Data set]."
    )


def test_nothing_in_the_card_is_read_as_html(release):
    """Field descriptions such as `Stable id: <doc_id>-s<position>` and types such as `list<item: string>` are
    escaped or in code spans: a CommonMark renderer with GFM tables makes no HTML of them."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(card(release).text)
    raw = [t for t in tokens if t.type == "html_block"]
    raw += [c for t in tokens if t.children for c in t.children if c.type == "html_inline"]
    assert raw == []
    html = md.render(card(release).text)
    assert "Stable id: &lt;doc_id&gt;-s&lt;position&gt;." in html
    assert "<code>list&lt;item: string not null&gt;</code>" in html
    # every field table row has its four cells (no description split by a stray pipe)
    for t in TABLES:
        body = section(card(release).text, f"`{t}`")
        rows = [ln for ln in body.splitlines() if ln.startswith("| `")]
        assert rows and all(len(re.split(r"(?<!\\)\|", ln)) == 6 for ln in rows), t
