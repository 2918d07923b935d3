"""A release that can be published as it is: one citation record (CITATION.cff, the card's BibTeX, Croissant's
citeAs), LICENSE, Croissant with keys, foreign keys, vocabularies and RAI fields, a Frictionless Data Package,
and the documentation shipped inside the release. Every output is read back with the tool that owns its format:
cffconvert, pybtex, mlcroissant, frictionless."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import CORPUS, ROOT, run_cli, table
from irbc import DATASET_VERSION
from irbc.core.schema import TABLES, load_schema, schema_dir, table_fields

CFFCONVERT = ROOT / ".venv-cff" / "bin" / "cffconvert"
BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")


@pytest.fixture(scope="module")
def standoff(tmp_path_factory):
    out = tmp_path_factory.mktemp("so") / "release"
    run_cli("build", "--out", str(out), "--text-policy", "standoff", "--quiet", check=True)
    return out


def desc(release: Path) -> dict:
    return yaml.safe_load((release / "build_inputs" / "dataset.yaml").read_text(encoding="utf-8"))


def card_bibtex(release: Path) -> str:
    text = (release / "README.md").read_text(encoding="utf-8")
    return re.search(r"```bibtex\n(.*?)\n```", text, re.S).group(1)


def parse_bibtex(text: str):
    from pybtex.database import parse_string

    entries = parse_string(text, "bibtex").entries
    assert len(entries) == 1, text
    return next(iter(entries.items()))


def cffconvert(*args: str) -> subprocess.CompletedProcess[str]:
    assert CFFCONVERT.exists(), "cffconvert is installed by `make setup` (see Makefile)"
    return subprocess.run([str(CFFCONVERT), *args], capture_output=True, text=True)


# ------------------------------------------------------------------------------------------ citation
def test_citation_cff_validates_and_comes_from_the_record(release):
    proc = cffconvert("--validate", "-i", str(release / "CITATION.cff"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cff = yaml.safe_load((release / "CITATION.cff").read_text(encoding="utf-8"))
    rec = desc(release)["citation"]
    assert cff["title"] == rec["title"] and cff["version"] == DATASET_VERSION
    assert str(cff["date-released"]) == rec["date_released"] == "2026-12-02"
    assert cff["authors"] == [{"name": "IR Balancing Corpus project"}]  # an entity, not a person
    assert cff["license"] == rec["license"] == "MIT" and cff["keywords"] == rec["keywords"]
    assert rec["repository"] is rec["url"] is rec["doi"] is None  # not assigned: omitted, never invented
    assert not {"repository", "repository-code", "url", "doi", "identifiers"} & set(cff)


def test_cffconvert_bibtex_agrees_with_the_card_bibtex(release):
    proc = cffconvert("-f", "bibtex", "-i", str(release / "CITATION.cff"))
    assert proc.returncode == 0, proc.stderr
    _, theirs = parse_bibtex(proc.stdout)
    key, ours = parse_bibtex(card_bibtex(release))
    assert key == "irbc_" + DATASET_VERSION.replace(".", "_") != "YourReferenceHere"
    assert ours.type == "misc" and ours.fields["version"] == DATASET_VERSION
    assert ours.fields["title"].strip("{}") == theirs.fields["title"] == desc(release)["citation"]["title"]
    assert ours.fields["year"] == theirs.fields["year"] == "2026"
    # cffconvert 2.0.0 (the only release) writes month {12}; ours uses BibTeX's month macro
    assert theirs.fields["month"] == "12" and ours.fields["month"] == "December"
    # ours: the entity in its own braces is one name with no given names (BibTeX never abbreviates it)
    (author,) = ours.persons["author"]
    assert author.first_names == [] and author.last_names == ["{IR Balancing Corpus project}"]
    # cffconvert 2.0.0 writes every author in single braces, so BibTeX reads the entity in its output as a person
    # ("project, IR Balancing Corpus"), and its command line always writes the key YourReferenceHere; its BibTeX
    # has no version field at all (BibtexObjectShared.supported_bibtex_props: author, doi, month, title, url,
    # year). The key, the version and the entity braces come from our generator (the card's entry), checked above


def test_cffconvert_api_with_the_record_key_gives_a_citable_entry(release):
    """cffconvert's Python API takes the entry key (its command line cannot): with the citation record's key, its
    BibTeX parses with that key and the record's title and year."""
    script = "import sys; from cffconvert import Citation; print(Citation(open(sys.argv[1]).read()).as_bibtex(sys.argv[2]))"
    key, ours = parse_bibtex(card_bibtex(release))
    proc = subprocess.run(
        [str(CFFCONVERT.parent / "python"), "-c", script, str(release / "CITATION.cff"), key],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    their_key, theirs = parse_bibtex(proc.stdout)
    assert their_key == key == "irbc_" + DATASET_VERSION.replace(".", "_")
    assert theirs.fields["title"] == ours.fields["title"].strip("{}") and theirs.fields["year"] == "2026"


def test_card_and_croissant_carry_the_generated_bibtex(release):
    from irbc.release.citation import citation_bibtex

    bib = citation_bibtex(desc(release))
    assert card_bibtex(release) == bib
    assert json.loads((release / "croissant.json").read_text(encoding="utf-8"))["citeAs"] == bib
    text = (release / "DATASHEET.md").read_text(encoding="utf-8")
    assert "No public repository, home page (URL) or DOI has been assigned yet" in text


# ------------------------------------------------------------------------------------------ LICENSE
def test_license_states_the_project_licence_and_each_documents_rights(release, standoff):
    text = (release / "LICENSE").read_text(encoding="utf-8")
    header = yaml.safe_load((release / "README.md").read_text(encoding="utf-8").split("---\n")[1])
    assert header["license_link"] == "LICENSE" and header["license"] == "other"
    assert "MIT License\n\nCopyright (c) 2026 IR Balancing Corpus project\n" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text
    sources = {
        s["doc_id"]: s
        for s in yaml.safe_load((release / "build_inputs" / "sources.yaml").read_text())["sources"]
    }
    so_text = (standoff / "LICENSE").read_text(encoding="utf-8")
    for d in table(release, "documents"):
        block = text.split(f"- `{d['doc_id']}`", 1)[1].split("\n- `", 1)[0]
        assert (d["rights"] or "none stated in the scrape") in block
        s = sources[d["doc_id"]]
        assert f"{s['redistribution']} ({s['redistribution_basis']})" in block
        assert "full text in this release: yes" in block
        so_block = so_text.split(f"- `{d['doc_id']}`", 1)[1].split("\n- `", 1)[0]
        assert "full text in this release: no (withheld: stand-off release)" in so_block


# ------------------------------------------------------------------------------------------ Croissant
def test_croissant_validates_with_no_warning(release):
    proc = subprocess.run(
        [str(BIN / "mlcroissant"), "validate", "--jsonld", str(release / "croissant.json")],
        capture_output=True,
        text=True,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "Done." in out, out
    assert "warning" not in out.lower() and "error" not in out.lower(), out


def _croissant(release: Path):
    logging.disable(logging.WARNING)
    import mlcroissant as mlc

    return mlc, str(release / "croissant.json")


def test_croissant_keys_foreign_keys_and_vocabularies_come_from_the_schemas(release):
    mlc, path = _croissant(release)
    meta = mlc.Dataset(jsonld=path).metadata
    sets = {rs.id: rs for rs in meta.record_sets}
    for t in TABLES:
        assert sets[t].key == [f"{t}/{load_schema(t)['x-primary-key']}"]
        fields = {f.id: f for f in sets[t].fields}
        for name, ft in table_fields(t).items():
            ref = fields[f"{t}/{name}"].references.field
            if "x-references" in ft.schema and (
                ft.base == "array" or ft.schema["x-references"].split(".")[0] == t
            ):
                # a list of ids has no Croissant reference; a table's reference to itself is a cycle for
                # mlcroissant: neither is declared there (the build's integrity checks check both)
                assert ref is None
            elif "x-references" in ft.schema:
                assert ref == ft.schema["x-references"].replace(".", "/")
            elif ft.enum is not None:
                vocab = f"{t}_{name}_vocabulary"
                assert ref == f"{vocab}/value" and sets[vocab].key == [ref]
                assert [str(x) for x in sets[vocab].data_types] == ["https://schema.org/Enumeration"]
                recs = mlc.Dataset(jsonld=path).records(vocab)  # its own Dataset: see test_release
                assert [r[ref] for r in recs] == list(ft.enum)
                assert {r[name] for r in table(release, t)} <= set(ft.enum)
            else:
                assert ref is None


def test_croissant_metadata_comes_from_the_record_and_the_datasheet(release):
    from irbc.release.croissant import RAI_FROM_DATASHEET

    mlc, path = _croissant(release)
    meta = mlc.Dataset(jsonld=path).metadata
    rec = desc(release)["citation"]
    assert [c.name for c in meta.creators] == [a["name"] for a in rec["authors"]]
    assert meta.keywords == rec["keywords"] and meta.version == DATASET_VERSION
    assert meta.date_published.date().isoformat() == rec["date_released"]
    assert meta.license[0] == "https://spdx.org/licenses/MIT.html"
    assert meta.license[1].url == "LICENSE" and "not licensed by the project" in meta.license[1].description
    assert meta.url is None  # no public home yet
    sheet = " ".join((release / "DATASHEET.md").read_text(encoding="utf-8").split())
    for prop in RAI_FROM_DATASHEET:
        value = getattr(meta, prop)
        for answer in [value] if isinstance(value, str) else value:
            assert answer, prop
            for sentence in re.split(r"(?<=\.) ", " ".join(answer.split())):  # the DATASHEET's own words
                assert sentence in sheet, (prop, sentence)
    # 0.874 before the stance review of issue 17 revised two curated author labels (schema/GUIDELINES.md, section 8)
    assert any("Cohen's kappa 0.957" in x for x in meta.data_annotation_analysis)


# ------------------------------------------------------------------------------------------ Data Package
def _datapackage(release: Path) -> dict:
    return json.loads((release / "datapackage.json").read_text(encoding="utf-8"))


def test_datapackage_table_schemas_come_from_schema(release):
    pkg = _datapackage(release)
    assert [r["name"] for r in pkg["resources"]] == list(TABLES)
    assert pkg["licenses"][0]["path"] == "https://spdx.org/licenses/MIT.html"
    for r in pkg["resources"]:
        t = r["name"]
        assert r["path"] == f"data/{t}/train-00000-of-00001.parquet" and r["format"] == "parquet"
        s = r["schema"]
        assert s["primaryKey"] == [load_schema(t)["x-primary-key"]] and s["missingValues"] == []
        fks = {
            (fk["fields"][0], fk["reference"]["resource"] + "." + fk["reference"]["fields"][0])
            for fk in s.get("foreignKeys", [])
        }
        want = {
            (k, v.schema["x-references"])
            for k, v in table_fields(t).items()
            if "x-references" in v.schema and v.base != "array"  # Table Schema has no foreign key on a list
        }
        assert fks == want
        for f in s["fields"]:
            ft = table_fields(t)[f["name"]]
            c = f.get("constraints", {})
            assert f["type"] == ("any" if ft.base == "array" else ft.base)
            assert c.get("required", False) == (not ft.nullable)
            assert c.get("enum") == (list(ft.enum) if ft.enum else None)


def _frictionless(folder: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "datapackage.json", "--json"],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    return json.loads(proc.stdout)


def test_frictionless_validates_the_package(release):
    """``frictionless validate`` on the shipped descriptor passes on every table, from the files alone: types,
    required, enums, patterns, bounds, primary and foreign keys."""
    report = _frictionless(release)
    assert [t["name"] for t in report["tasks"]] == list(TABLES)
    assert report["valid"], [(t["name"], t["errors"][:2]) for t in report["tasks"] if not t["valid"]]
    assert [t["stats"]["rows"] for t in report["tasks"]] == [len(table(release, t)) for t in TABLES]


def test_list_columns_are_any_in_the_descriptor_because_frictionless_reads_them_as_numpy(release):
    """Why the shipped descriptor types list columns ``any``: with the strict ``array`` type, frictionless's own
    Parquet reader fails every list cell of a correct file (pandas hands them over as numpy arrays). If a future
    frictionless reads them as lists, this test fails and the descriptor should go back to ``array``."""
    from frictionless import Resource, Schema

    pkg = _datapackage(release)
    r = next(x for x in pkg["resources"] if x["name"] == "notes")
    f = next(x for x in r["schema"]["fields"] if x["name"] == "callouts")
    item = table_fields("notes")["callouts"].items
    assert (
        item is not None
        and item.properties is not None
        and {"start", "end", "paragraph_id"} <= set(item.properties)
    )
    want = "object{" + ", ".join(item.properties) + "}"
    assert f["type"] == "any" and f["x-item-type"] == want and f["description"].endswith(f"[list of {want}]")
    from irbc.release.datapackage import table_schema

    descriptor = table_schema("notes", "array")
    descriptor.pop("foreignKeys", None)  # one resource alone: its keys to other tables are checked elsewhere
    strict = Resource(path=r["path"], basepath=str(release), schema=Schema.from_descriptor(descriptor))
    report = strict.validate()
    assert {e.type for e in report.tasks[0].errors} == {"type-error"}
    assert {e.field_name for e in report.tasks[0].errors} == {"callouts"}


def test_frictionless_validates_every_table_with_lists_read_by_pyarrow(release):
    """The strict descriptor (list columns typed ``array``) with each table's rows given as data (list columns as
    Python lists): all nine tables, array columns and cross-table foreign keys included, pass."""
    import pyarrow.parquet as pq
    from frictionless import Package, Resource, Schema

    from irbc.release.datapackage import table_schema

    resources = []
    for r in _datapackage(release)["resources"]:
        rows = pq.read_table(release / r["path"]).to_pylist()
        data = [list(rows[0])] + [list(x.values()) for x in rows]
        schema = Schema.from_descriptor(table_schema(r["name"], "array"))
        assert any(f.type == "array" for f in schema.fields) == any(
            v.base == "array" for v in table_fields(r["name"]).values()
        )
        resources.append(Resource(name=r["name"], data=data, schema=schema))
    report = Package(resources=resources).validate()
    assert report.valid, report.flatten(["taskName", "type", "note"])[:5]
    assert [t.stats["rows"] for t in report.tasks] == [len(table(release, t)) for t in TABLES]


def test_frictionless_catches_broken_keys_and_vocabularies(release_copy):
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = release_copy / "data" / "sections" / "train-00000-of-00001.parquet"
    t = pq.read_table(p)
    rows = t.to_pylist()
    rows[3]["doc_id"], rows[4]["section_id"], rows[6]["kind"] = (
        "no_such_doc",
        rows[5]["section_id"],
        "preface",
    )
    pq.write_table(pa.Table.from_pylist(rows, schema=t.schema), p)
    task = next(x for x in _frictionless(release_copy)["tasks"] if x["name"] == "sections")
    assert {e["type"] for e in task["errors"]} == {"foreign-key", "primary-key", "constraint-error"}


# ------------------------------------------------------------------------------------------ docs/ and the card
def test_release_ships_its_schemas_guidelines_codebook_and_agreement_data(release, standoff):
    for src in sorted(schema_dir().iterdir()):
        assert (release / "docs" / "schema" / src.name).read_bytes() == src.read_bytes(), src.name
    agreement = "annotations/agreement/stances_second_pass.yaml"
    assert (release / "docs" / "corpus" / agreement).read_bytes() == (CORPUS / agreement).read_bytes()
    assert sorted(p.relative_to(standoff) for p in (standoff / "docs").rglob("*")) == sorted(
        p.relative_to(release) for p in (release / "docs").rglob("*")
    )


def test_card_lists_every_file_in_the_folder(release):
    from irbc.release.exporters import registered_exporters

    text = (release / "README.md").read_text(encoding="utf-8")
    block = text.split("\n### Files in this folder\n", 1)[1].split("\n#", 1)[0]
    listed = re.findall(r"^\| `([^`]+)` \| (.+) \|$", block, re.M)
    assert [p for p, _ in listed[1:-1]] == [f for e in registered_exporters() for f in e.files]
    assert listed[0][0] == "data/<table>/train-00000-of-00001.parquet" and listed[-1][0] == "manifest.json"
    top = {p.name + ("/" if p.is_dir() else "") for p in release.iterdir()}
    assert top == {p.split("/")[0] + ("/" if "/" in p else "") for p, _ in listed}
    assert all(desc.strip() for _, desc in listed)


@pytest.mark.parametrize(
    ("doc", "cited"),
    [
        (
            "README.md",
            {"docs/schema/", "docs/schema/GUIDELINES.md", "build_inputs/rules.yaml", "CITATION.cff"},
        ),
        (
            "DATASHEET.md",
            {
                "docs/schema/GUIDELINES.md",
                "docs/schema/codebook.yaml",
                "LICENSE",
                "docs/schema/",
                "docs/corpus/annotations/agreement/stances_second_pass.yaml",
                "build_inputs/sources.yaml",
            },
        ),
    ],
)
def test_card_and_datasheet_point_to_files_in_the_release(release, doc, cited):
    """Every path they cite is in the release; the repository's corpus/ is named only as the repository's."""
    text = (release / doc).read_text(encoding="utf-8")
    paths = set(
        re.findall(r"`((?:[\w.-]+/)*[\w.-]+\.(?:md|yaml|json|cff|html)|[\w.-]+/(?:[\w.-]+/)*)`", text)
    )
    paths |= {"LICENSE"} & set(re.findall(r"`([A-Z]+)`", text))
    assert cited <= paths
    for p in sorted(paths):
        if p.startswith("corpus/"):
            para = next(x for x in re.split(r"\n\s*\n|\n- ", text) if f"`{p}`" in x)
            assert "repository" in para or "pull request" in para, (p, para)
        else:
            assert (release / p).exists(), p


def test_exporters_need_a_one_line_description(monkeypatch):
    from irbc.release import exporters

    assert all(e.description and "\n" not in e.description for e in exporters.registered_exporters())
    monkeypatch.setattr(exporters, "_REGISTRY", {})
    with pytest.raises(ValueError, match="one-line description"):
        exporters.exporter("x_v1", "x.txt", description=" ")(lambda release, ctx: None)
