"""The release folder through the real clients, offline: datasets, mlcroissant, cffconvert; manifest; card."""

from __future__ import annotations

import json
import logging
import subprocess

import pytest
import yaml

from conftest import ROOT, table
from irbc.core.schema import TABLES
from irbc.release.views import CURATED_MENTIONS, VIEWS

CONFIGS = [*TABLES, *(v.name for v in VIEWS)]  # one per table, then one per derived view


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


@pytest.mark.parametrize("config", CONFIGS)
def test_load_dataset_every_config(release, config, tmp_path):
    import datasets

    from irbc.release.hf import features

    ds = datasets.load_dataset(str(release), config, split="train", cache_dir=str(tmp_path / "cache"))
    manifest = json.loads((release / "manifest.json").read_text())
    assert ds.num_rows == manifest["files"][f"data/{config}/train-00000-of-00001.parquet"]["rows"]
    assert ds.features == features(next((v.schema for v in VIEWS if v.name == config), config))
    if config == "stances":
        assert ds.features["stance"].names == ["favor", "against", "neutral", "none"]
        assert isinstance(ds.features["evidence"], datasets.List)
        row = next(r for r in ds if r["evidence"])
        assert set(row["evidence"][0]) == {"quote", "start", "end", "paragraph_id", "note_id", "sentence_ids"}
    if config == "sections":
        assert "references" in ds.features["kind"].names


def test_curated_view_is_the_curated_rows_of_concept_mentions(release, tmp_path, monkeypatch):
    """`concept_mentions_curated` loads offline with datasets and holds exactly the reviewed rows of
    concept_mentions, in order; the lexicon layer is not in it."""
    import datasets
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    ds = datasets.load_dataset(str(release), CURATED_MENTIONS.name, split="train")
    mentions = pq.read_table(release / "data" / "concept_mentions" / "train-00000-of-00001.parquet")
    curated = mentions.filter(pc.equal(mentions["annotator"], CURATED_MENTIONS.annotator))
    assert 0 < curated.num_rows < mentions.num_rows
    names = ds.features["annotator"].names
    rows = [{**r, "annotator": names[r["annotator"]]} for r in ds]
    assert rows == curated.to_pylist()
    view = pq.read_table(release / "data" / CURATED_MENTIONS.name / "train-00000-of-00001.parquet")
    assert view.equals(curated) and view.schema == mentions.schema


def test_card_declares_one_config_per_table_and_view(release):
    text = (release / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(text.split("---\n")[1])
    assert [c["config_name"] for c in header["configs"]] == CONFIGS
    assert [c["config_name"] for c in header["configs"] if c.get("default")] == ["documents"]
    assert [c["config_name"] for c in header["dataset_info"]] == CONFIGS
    for key in (
        "pretty_name",
        "license",
        "language",
        "task_categories",
        "task_ids",
        "size_categories",
        "tags",
    ):
        assert header[key]
    body = text.split("---\n", 2)[2]
    for needle in (
        "load_dataset",
        "pd.read_parquet",
        "duckdb",
        "polars",
        "```bibtex",
        "no held-out split",
        "### Out-of-Scope Use",
        "## Bias, Risks, and Limitations",
        "- **License:**",
    ):
        assert needle in body


def test_datasheet_counts_come_from_the_tables(release):
    ds = (release / "DATASHEET.md").read_text(encoding="utf-8")
    n = {t: len(table(release, t)) for t in TABLES}
    assert f"{n['documents']} documents; {n['sections']} sections;" in ds
    removed = table(release, "removed")
    ftr = sum(1 for r in removed if r["reason"] == "ore_find_this_resource")
    assert f"| remove | ore_find_this_resource | {ftr} |" in ds
    scores = json.loads((release / "build_summary.json").read_text())["tagger_scores"]["overall"]
    assert f"precision **{scores['precision']:.3f}**" in ds
    for heading in (
        "## Motivation",
        "## Composition",
        "## Collection process",
        "## Preprocessing, cleaning and labelling",
        "## Uses",
        "## Distribution and rights",
        "## Maintenance",
        "## Data statement",
    ):
        assert heading in ds


def test_top_level_datasheet_is_the_release_datasheet(release):
    assert (ROOT / "DATASHEET.md").read_text(encoding="utf-8") == (release / "DATASHEET.md").read_text(
        encoding="utf-8"
    ), "run `make release` to refresh DATASHEET.md"


def test_citation_cff_is_valid(release):
    tool = ROOT / ".venv-cff" / "bin" / "cffconvert"
    assert tool.exists(), "cffconvert is installed by `make setup` (see Makefile)"
    proc = subprocess.run(
        [str(tool), "--validate", "-i", str(release / "CITATION.cff")], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cff = yaml.safe_load((release / "CITATION.cff").read_text())
    assert cff["version"] == json.loads((release / "manifest.json").read_text())["dataset_version"]
    assert "doi" not in cff


def test_croissant_validates_and_yields_records(release):
    logging.disable(logging.WARNING)
    import mlcroissant as mlc

    # one Dataset per record set: mlcroissant 1.1 reads `references` as joins and caches the referenced record
    # set's output as a spent generator, so a second records() call on the same Dataset fails
    # ("'generator' object has no attribute 'columns'")
    for t in TABLES:
        recs = list(mlc.Dataset(jsonld=str(release / "croissant.json")).records(t))
        assert len(recs) == len(table(release, t))
    ds = mlc.Dataset(jsonld=str(release / "croissant.json"))
    stance = next(r for r in ds.records("stances") if r["stances/evidence"])
    assert stance["stances/evidence"][0]["stances/evidence/start"] >= 0


def test_manifest_checksums_match(release):
    import hashlib

    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["dataset_version"] and manifest["codebook_version"]
    assert set(manifest["provenance"]["inputs"]) >= {
        f"corpus/raw/{p.name}" for p in (ROOT / "corpus" / "raw").iterdir()
    }
    on_disk = {str(p.relative_to(release)) for p in release.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == on_disk
    for rel, info in manifest["files"].items():
        assert hashlib.sha256((release / rel).read_bytes()).hexdigest() == info["sha256"]


def test_card_code_snippets_run_against_the_release(release, tmp_path, monkeypatch):
    import re

    text = (release / "README.md").read_text(encoding="utf-8")
    snippets = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(snippets) == 4
    monkeypatch.chdir(release)  # they run in the release folder, as the card says
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    scopes = []
    for code in snippets:
        scopes.append({})
        exec(code.replace('"path/to/this/folder"', repr(str(release))), scopes[-1])  # as the card says
    assert len(scopes[0]["mentions"]) == sum(
        1 for m in table(release, "concept_mentions") if m["annotator"] == "curated_v1"
    )
    assert len(scopes[-1]["notes"]) == len(table(release, "notes"))
    # a snippet that reads the two-layer table filters on the layer
    for code in snippets:
        if "data/concept_mentions/" in code or '"concept_mentions"' in code:
            assert "where annotator = 'curated_v1'" in code, code


def test_datasheet_reports_the_measured_stance_agreement(release):
    ag = json.loads((release / "build_summary.json").read_text())["summary"]["agreement"]["stances"]
    assert ag["items"] == 40 and ag["annotators"][0] == "curated_v1"
    ds = (release / "DATASHEET.md").read_text(encoding="utf-8")
    assert f"Cohen's κ: **{ag['cohen_kappa']:.3f}**" in ds
    assert f"Observed agreement with `curated_v1`: **{ag['observed_agreement']:.3f}**" in ds
    assert len(ag["disagreements"]) == round((1 - ag["observed_agreement"]) * ag["items"])
