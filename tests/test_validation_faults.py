"""Fault injection: damage a built release one defect at a time and prove `irbc validate` names the defect.

Every content test rewrites manifest.json for the file it changed (fresh SHA-256, bytes, rows), so the
failure it sees comes from the content checks (jsonschema, great-expectations, integrity), never from the
checksum; ``test_tampered_file_with_stale_manifest_is_caught`` covers the manifest check on its own.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import run_cli, table
from irbc.core.arrow import arrow_schema
from irbc.core.schema import TABLES
from irbc.core.tables import write_parquet

Rows = list[dict[str, Any]]


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI prints through rich, which wraps at the terminal width; keep each failure on one line."""
    monkeypatch.setenv("COLUMNS", "10000")


# ------------------------------------------------------------------------------------------ helpers
def parquet_path(release: Path, name: str) -> Path:
    return release / "data" / name / "train-00000-of-00001.parquet"


def refresh_manifest(release: Path, name: str) -> None:
    """Record the changed table's new SHA-256, size and row count, and the publishable record of the changed
    data, as the build would have."""
    import hashlib

    from irbc.release.rights import release_publishable

    mpath = release / "manifest.json"
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    path = parquet_path(release, name)
    rel = str(path.relative_to(release))
    assert rel in manifest["files"], rel
    manifest["files"][rel] = {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "bytes": path.stat().st_size,
        "rows": pq.ParquetFile(path).metadata.num_rows,
    }
    manifest["publishable"] = release_publishable(release)
    mpath.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def inject(release: Path, name: str, mutate: Callable[[Rows], Rows | None]) -> Rows:
    """Read a table, let ``mutate`` damage the rows (in place or by returning new ones), write it back with the
    declared Arrow schema and refresh the manifest entry."""
    rows = table(release, name)
    out = mutate(rows)
    rows = rows if out is None else out
    write_parquet(rows, name, parquet_path(release, name))
    refresh_manifest(release, name)
    return rows


def validate(release: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("validate", str(release))


def failures(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The failing-check lines the CLI printed ('[kind] table: check — N failing (e.g. ...)'), whitespace-folded."""
    text = " ".join((proc.stdout + "\n" + proc.stderr).split())
    return ["[" + part for part in text.split(" - [")[1:]]


def assert_caught(proc: subprocess.CompletedProcess[str], kind: str, tbl: str, *needles: str) -> str:
    """Non-zero exit, and one failure line of ``kind`` on ``tbl`` containing every needle; the manifest passed."""
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, f"validate accepted a damaged release:\n{out}"
    lines = failures(proc)
    assert lines, f"no failing checks listed:\n{out}"
    hits = [ln for ln in lines if ln.startswith(f"[{kind}] {tbl}: ") and all(n in ln for n in needles)]
    assert hits, f"no [{kind}] {tbl} failure naming {needles!r}; failures were:\n" + "\n".join(lines)
    assert not any(ln.startswith("[manifest]") for ln in lines), "manifest not refreshed:\n" + "\n".join(
        lines
    )
    return hits[0]


def gx(expectation: str, **kwargs: Any) -> str:
    """The check name validate.py gives a great-expectations result (kwargs minus value sets and regex lists)."""
    return expectation + (" " + json.dumps(kwargs, sort_keys=True) if kwargs else "")


def _middle(rows: Rows, pred: Callable[[dict[str, Any]], bool] = lambda r: True) -> int:
    """Index of a row satisfying ``pred`` from the middle of the table (deterministic, not an edge case)."""
    idx = [i for i, r in enumerate(rows) if pred(r)]
    assert idx, "no row fits the fault"
    return idx[len(idx) // 2]


# ------------------------------------------------------------------------------------------ clean release
def test_clean_release_validates(release: Path) -> None:
    proc = validate(release)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads((release / "validation_report.json").read_text(encoding="utf-8"))
    assert report["passed"] is True and report["n_failed"] == 0
    assert report["n_checks"] >= 100 and len(report["checks"]) == report["n_checks"]
    assert all(c["passed"] for c in report["checks"])
    # the report written by the build holds the content checks (it is itself covered by the manifest)
    assert {"jsonschema", "great_expectations", "integrity"} <= set(report["by_kind"])
    # `irbc validate` runs those plus the release-file checks: required files; checksums, sizes, row counts; the
    # publishable record agrees with the data; no links; each derived view equals what its tables give; and one
    # Parquet-schema check per table. It says so, so the two counts can be told apart.
    m = re.search(
        r"(\d+) checks, (\d+) failed \((\d+) content checks, as run by the build, \+ (\d+) release-file",
        proc.stdout,
    )
    assert m, proc.stdout
    from irbc.release.views import VIEWS

    files = (
        4 + len(VIEWS) + len(TABLES)
    )  # four file checks, one per derived view, one Parquet schema per table
    assert (int(m[1]), int(m[2])) == (report["n_checks"] + files, 0)
    assert (int(m[3]), int(m[4])) == (report["n_checks"], files)

    from irbc.gate.release import validate_release

    live = validate_release(release)
    assert live.passed and live.n_checks >= 100
    kinds = {"jsonschema", "great_expectations", "integrity", "manifest", "parquet_schema", "view"}
    assert {c.kind for c in live.checks} == kinds


# ------------------------------------------------------------------------------------------ manifest
def _reencode(release: Path) -> str:
    """Same rows, different bytes: rewrite sections with another compression."""
    path = parquet_path(release, "sections")
    pq.write_table(pq.read_table(path), path, compression="gzip")
    return "data/sections/train-00000-of-00001.parquet: SHA-256 differs"


def _edit_heading(release: Path) -> str:
    """A plausible-looking content edit that no content check looks at."""
    rows = table(release, "sections")
    i = _middle(rows, lambda r: r["heading"] is not None and r["level"] > 0)
    rows[i]["heading"] = rows[i]["heading"] + " (revised)"
    write_parquet(rows, "sections", parquet_path(release, "sections"))
    return "data/sections/train-00000-of-00001.parquet: SHA-256 differs"


def _extra_file(release: Path) -> str:
    (release / "data" / "sections" / "train-00001-of-00001.parquet").write_bytes(b"PAR1")
    return "data/sections/train-00001-of-00001.parquet is not listed in the manifest"


@pytest.mark.parametrize(
    "tamper", [_reencode, _edit_heading, _extra_file], ids=["reencoded", "edited", "extra-file"]
)
def test_tampered_file_with_stale_manifest_is_caught(
    release_copy: Path, tamper: Callable[[Path], str]
) -> None:
    expected = tamper(release_copy)
    proc = validate(release_copy)
    assert proc.returncode != 0
    lines = failures(proc)
    assert [
        ln
        for ln in lines
        if ln.startswith("[manifest] release: files match manifest SHA-256") and expected in ln
    ], lines
    # a re-encoded or extra file is otherwise sound, so only the manifest fails; an edited heading is also
    # caught by the content checks that tie a section's heading to its heading paragraph and to the heading
    # paths of the section tree
    allowed = (
        "[manifest]",
        "[integrity] sections: section heading == its heading paragraph's text",
        "[integrity] sections: sections form a tree; heading paths follow it",
    )
    assert all(ln.startswith(allowed) for ln in lines), lines
    if tamper is _edit_heading:
        assert any(ln.startswith(allowed[1]) for ln in lines), lines


# ------------------------------------------------------------------------------------------ 1. duplicate id
@pytest.mark.parametrize(
    "name,key",
    [
        ("sections", "section_id"),
        ("paragraphs", "paragraph_id"),
        ("notes", "note_id"),
        ("concept_mentions", "mention_id"),
        ("stances", "stance_id"),
        ("concepts", "concept_id"),
        ("documents", "doc_id"),
    ],
)
def test_duplicate_primary_key(release_copy: Path, name: str, key: str) -> None:
    twice: list[str] = []

    def dup(rows: Rows) -> Rows:
        i = _middle(rows)
        twice.append(rows[i][key])
        return [*rows[: i + 1], dict(rows[i]), *rows[i + 1 :]]

    inject(release_copy, name, dup)
    line = assert_caught(
        validate(release_copy),
        "great_expectations",
        name,
        gx("expect_column_values_to_be_unique", column=key),
    )
    assert twice[0] in line  # the duplicated id itself is shown (not its dictionary code)


# ------------------------------------------------------------------------------------------ 2. dangling foreign key
@pytest.mark.parametrize(
    "name,column,ghost,ref",
    [
        ("paragraphs", "section_id", "ghost_doc-s999", "sections.section_id of the same document"),
        ("notes", "section_id", "ghost_doc-s999", "sections.section_id of the same document"),
        ("concept_mentions", "concept_id", "no_such_concept", "concepts.concept_id"),
        (
            "concept_mentions",
            "paragraph_id",
            "ghost_doc-p9999",
            "paragraphs.paragraph_id of the same document",
        ),
        ("stances", "target_id", "no_such_target", "stance_targets.target_id"),
    ],
)
def test_dangling_foreign_key(release_copy: Path, name: str, column: str, ghost: str, ref: str) -> None:
    def dangle(rows: Rows) -> None:
        rows[_middle(rows, lambda r: r[column] is not None)][column] = ghost

    inject(release_copy, name, dangle)
    line = assert_caught(validate(release_copy), "integrity", name, f"{column} references {ref}")
    assert ghost in line  # the offending value is shown


def test_reference_into_another_document(release_copy: Path) -> None:
    """A mention pointing at an existing paragraph of a different document is caught, not just a missing id."""
    paragraphs = table(release_copy, "paragraphs")

    def cross(rows: Rows) -> None:
        r = rows[_middle(rows, lambda r: r["paragraph_id"] is not None)]
        r["paragraph_id"] = next(p["paragraph_id"] for p in paragraphs if p["doc_id"] != r["doc_id"])

    inject(release_copy, "concept_mentions", cross)
    line = assert_caught(
        validate(release_copy),
        "integrity",
        "concept_mentions",
        "paragraph_id references paragraphs.paragraph_id of the same document",
    )
    assert "belongs to document" in line


# ------------------------------------------------------------------------------------------ 3. span shifted by one
def _shift_paragraph(rows: Rows) -> None:
    # a paragraph followed by another one in its section, so only the offsets are off
    r = rows[_middle(rows, lambda r: r["kind"] != "heading" and len(r["text"]) > 20)]
    r["start"] += 1
    r["end"] += 1


def _shift_note(rows: Rows) -> None:
    r = rows[_middle(rows, lambda r: len(r["text"]) > 20)]
    r["start"] += 1
    r["end"] += 1


def _shift_mention(rows: Rows) -> None:
    r = rows[_middle(rows, lambda r: len(set(r["surface"])) > 1)]
    r["start"] += 1
    r["end"] += 1


def _shift_evidence(rows: Rows) -> None:
    ev = rows[_middle(rows, lambda r: bool(r["evidence"]))]["evidence"][0]
    ev["start"] += 1
    ev["end"] += 1


@pytest.mark.parametrize(
    "name,shift,checks",
    [
        (
            "paragraphs",
            _shift_paragraph,
            [
                ("paragraphs", "text == documents.text[start:end]"),
                ("paragraphs", "paragraphs and notes tile their section"),
            ],
        ),
        ("notes", _shift_note, [("notes", "text == documents.text[start:end]")]),
        ("concept_mentions", _shift_mention, [("concept_mentions", "surface == documents.text[start:end]")]),
        ("stances", _shift_evidence, [("stances", "evidence quote == documents.text[start:end]")]),
    ],
    ids=["paragraph", "note", "mention", "evidence"],
)
def test_span_shifted_by_one(
    release_copy: Path, name: str, shift: Callable[[Rows], None], checks: list[tuple[str, str]]
) -> None:
    inject(release_copy, name, shift)
    proc = validate(release_copy)
    for tbl, check in checks:
        assert_caught(proc, "integrity", tbl, check)


# ------------------------------------------------------------------------------------------ 4. label outside vocabulary
@pytest.mark.parametrize(
    "name,column,bad",
    [
        ("stances", "stance", "maybe"),
        ("sections", "kind", "appendix"),
        ("stances", "attribution", "rumoured"),
        ("notes", "kind", "sidenote"),
    ],
)
def test_label_outside_vocabulary(release_copy: Path, name: str, column: str, bad: str) -> None:
    def relabel(rows: Rows) -> None:
        rows[_middle(rows)][column] = bad

    inject(release_copy, name, relabel)
    proc = validate(release_copy)
    line = assert_caught(
        proc, "great_expectations", name, gx("expect_column_values_to_be_in_set", column=column)
    )
    assert bad in line
    assert_caught(
        proc, "jsonschema", name, "every record valid against schema", f"/{column}:", f"'{bad}' is not one of"
    )


# ------------------------------------------------------------------------------------------ 5. noise string back in
@pytest.mark.parametrize(
    "name,column,noise",
    [
        ("documents", "text", "Find this resource:"),
        ("documents", "title", "LSE - Small Logo"),
        ("sections", "heading", "Reprints and Permissions"),
    ],
)
def test_noise_string_put_back(release_copy: Path, name: str, column: str, noise: str) -> None:
    def dirty(rows: Rows) -> None:
        # in front, so the failure's (truncated) example shows it
        r = rows[_middle(rows, lambda r: r[column] is not None)]
        r[column] = noise + " " + r[column]

    inject(release_copy, name, dirty)
    proc = validate(release_copy)
    line = assert_caught(
        proc, "great_expectations", name, gx("expect_column_values_to_not_match_regex_list", column=column)
    )
    assert noise in line


@pytest.mark.parametrize(
    "name,noise", [("paragraphs", "Find this resource:"), ("notes", "Cite this article")]
)
def test_noise_string_put_back_into_a_unit(release_copy: Path, name: str, noise: str) -> None:
    """Paragraph and note texts are not probed again (validation/expectations.yaml says why): noise put back
    into one of them no longer equals documents.text[start:end], and the integrity check names it."""

    def dirty(rows: Rows) -> None:
        r = rows[_middle(rows, lambda r: r["text"] is not None)]
        r["text"] = noise + " " + r["text"]

    inject(release_copy, name, dirty)
    assert_caught(validate(release_copy), "integrity", name, "text == documents.text[start:end]")


# ------------------------------------------------------------------------------------------ 6. document removed
def test_document_removed_while_its_rows_remain(release_copy: Path) -> None:
    gone: list[str] = []

    def drop(rows: Rows) -> Rows:
        i = _middle(rows)
        gone.append(rows[i]["doc_id"])
        return rows[:i] + rows[i + 1 :]

    inject(release_copy, "documents", drop)
    proc = validate(release_copy)
    line = assert_caught(proc, "integrity", "documents", "no rows for a document missing from documents")
    assert gone[0] in line
    assert_caught(proc, "integrity", "sections", "doc_id references documents.doc_id")


# ------------------------------------------------------------------------------------------ 7. callout without its note
CALLOUT_CHECK = "callouts point to a note of the same document"


def _callout_to_missing_paragraph(rows: Rows) -> None:
    r = rows[_middle(rows, lambda r: bool(r["callouts"]))]
    r["callouts"][0]["paragraph_id"] = r["doc_id"] + "-p9999"


def _callout_to_other_marker(rows: Rows) -> None:
    """Point a note's callout at the marker of a differently labelled note in the same document."""
    labelled = [r for r in rows if r["callouts"] and r["label"] is not None]
    a = labelled[len(labelled) // 2]
    b = next(r for r in labelled if r["doc_id"] == a["doc_id"] and r["label"] != a["label"])
    a["callouts"][0] = dict(b["callouts"][0])


def _callout_to_other_document(rows: Rows) -> None:
    r = rows[_middle(rows, lambda r: bool(r["callouts"]))]
    other = next(o for o in rows if o["callouts"] and o["doc_id"] != r["doc_id"])
    r["callouts"][0] = dict(other["callouts"][0])


@pytest.mark.parametrize(
    "move,message",
    [
        (_callout_to_missing_paragraph, "not inside a paragraph of"),
        (_callout_to_other_marker, "does not point to note"),
        (_callout_to_other_document, "not inside a paragraph of"),
    ],
    ids=["missing-paragraph", "other-marker", "other-document"],
)
def test_callout_points_to_missing_note(
    release_copy: Path, move: Callable[[Rows], None], message: str
) -> None:
    inject(release_copy, "notes", move)
    assert_caught(validate(release_copy), "integrity", "notes", CALLOUT_CHECK, message)


# ------------------------------------------------------------------------------------------ 8. missing required field
@pytest.mark.parametrize(
    "name,column", [("sections", "heading"), ("stances", "rationale"), ("paragraphs", "raw_start")]
)
def test_record_missing_required_field(release_copy: Path, name: str, column: str) -> None:
    # the declared Arrow schema cannot hold a missing column: write with the column removed from it
    rows = [{k: v for k, v in r.items() if k != column} for r in table(release_copy, name)]
    schema = arrow_schema(name)
    schema = schema.remove(schema.get_field_index(column))
    pq.write_table(
        pa.Table.from_pylist(rows, schema=schema), parquet_path(release_copy, name), compression="zstd"
    )
    refresh_manifest(release_copy, name)
    assert column not in pq.read_schema(parquet_path(release_copy, name)).names
    assert_caught(
        validate(release_copy),
        "jsonschema",
        name,
        "every record valid against schema",
        f"'{column}' is a required property",
    )


# ------------------------------------------------------------------------------------------ 9. bad curated annotation
@pytest.mark.parametrize(
    "rel,content,line",
    [
        ("annotations/stances/ore_soft_balancing.yaml", "doc_id: [unclosed\n", None),
        (
            "annotations/stances/ore_soft_balancing.yaml",
            "doc_id: ore_soft_balancing\nannotator: curated_v1\nstances: a: b\n",
            3,
        ),
        (
            "annotations/mentions/cox_2021_comrades_putin_xi.yaml",
            "doc_id: cox_2021_comrades_putin_xi\nmentions:\n  - {start: 1, end\n",
            None,
        ),
        ("annotations/stance_targets.yaml", "targets:\n\t- target_id: x\n", 2),
    ],
    ids=["stances-unclosed", "stances-mapping", "mentions-unclosed", "targets-tab"],
)
def test_invalid_yaml_annotation_stops_the_build(
    corpus_copy: Path, tmp_path: Path, rel: str, content: str, line: int | None
) -> None:
    bad = corpus_copy / rel
    assert bad.is_file()
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("build", "--corpus", str(corpus_copy), "--out", str(out), "--quiet")
    err = " ".join(proc.stderr.split())
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert f"{bad}:line " in err, err
    assert "invalid YAML" in err, err
    m = re.search(re.escape(str(bad)) + r":line (\d+): invalid YAML", err)
    assert m, err
    if line is not None:
        assert int(m[1]) == line, err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus"]  # no half-written release folder either


# ------------------------------------------------------------------------------------------ manifest completeness
def test_manifest_row_count_and_size_are_checked(release_copy: Path) -> None:
    mpath = release_copy / "manifest.json"
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    info = manifest["files"]["data/sections/train-00000-of-00001.parquet"]
    info["rows"] += 1
    info["bytes"] += 1
    mpath.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    proc = validate(release_copy)
    assert proc.returncode != 0
    assert any(ln.startswith("[manifest]") for ln in failures(proc))


def test_release_without_build_config_is_refused(release_copy: Path) -> None:
    mpath = release_copy / "manifest.json"
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    for name in ("build_config.json", "build_summary.json"):
        (release_copy / name).unlink()
        del manifest["files"][name]
    mpath.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    assert validate(release_copy).returncode != 0


# ------------------------------------------------------------------------------------------ derived view
@pytest.mark.parametrize("fault", ["relabel", "drop", "add lexicon row"])
def test_curated_view_must_equal_the_curated_rows(release_copy: Path, fault: str) -> None:
    """concept_mentions_curated is derived from concept_mentions: a view that differs from its curated rows (a
    changed label, a missing row, a row of the other layer) fails `irbc validate`, manifest refreshed."""
    from irbc.release.views import CURATED_MENTIONS as V

    rows = table(release_copy, V.name)
    i = _middle(rows)
    if fault == "relabel":
        rows[i]["concept_id"] = next(
            c["concept_id"]
            for c in table(release_copy, "concepts")
            if c["concept_id"] != rows[i]["concept_id"]
        )
    elif fault == "drop":
        del rows[i]
    else:
        rows.insert(
            i, next(m for m in table(release_copy, "concept_mentions") if m["annotator"] != V.annotator)
        )
    write_parquet(rows, V.schema, parquet_path(release_copy, V.name))
    refresh_manifest(release_copy, V.name)
    assert_caught(validate(release_copy), "view", V.name, V.check_name)
