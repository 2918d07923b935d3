"""Stand-off releases: withhold the text of documents whose rights do not allow redistribution (keeping every
id, offset, annotation and the SHA-256 of the withheld text), and rehydrate such a release from a user's own copy
of the raw files into a release identical to the full build. Which columns are withheld is marked in schema/
(``x-withheld-in-standoff``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbc.core.errors import InputError
from irbc.core.records import to_row
from irbc.core.result import BuildResult
from irbc.core.schema import DOC_TABLES, withheld_columns
from irbc.core.tables import arrow_tables
from irbc.release.rights import BUILD_INPUTS, SOURCES

INPUT_FILES = (SOURCES, "rules.yaml", "profiles.yaml", "dataset.yaml")


def apply_standoff(tables: dict[str, list[dict[str, Any]]], withhold: set[str]) -> None:
    """Null the withheld columns (and withheld sub-fields of list columns) of withheld documents, in place."""
    for table in DOC_TABLES:
        top, nested = withheld_columns(table)
        if not top and not nested:
            continue
        for row in tables[table]:
            if row["doc_id"] not in withhold:
                continue
            for c in top:
                row[c] = None
            for c, subs in nested.items():
                for item in row[c]:
                    for sub in subs:
                        item[sub] = None


def _read_raw_checked(raw_dir: Path, src: dict[str, Any], doc: dict[str, Any]) -> tuple[str, str]:
    from irbc.stages.read import read_raw

    path = raw_dir / src["source_file"]
    if not path.is_file():
        raise InputError(str(path), None, f"raw file for {doc['doc_id']} not found")
    raw, sha = read_raw(path)
    if sha != doc["raw_sha256"]:
        raise InputError(
            str(path),
            None,
            f"SHA-256 {sha[:12]}… differs from the release's {doc['raw_sha256'][:12]}…: "
            "not the same raw text, refusing to rehydrate",
        )
    return raw, sha


def _refill(tables: dict[str, list[dict[str, Any]]], release: Path, doc_id: str, res: Any) -> None:
    """Put a rebuilt document's rows in place of its withheld ones, checking every kept value."""
    for table, new in (
        ("paragraphs", res.paragraphs),
        ("notes", res.notes),
        ("removed", res.removed),
        ("citations", res.citations),
    ):
        old = [r for r in tables[table] if r["doc_id"] == doc_id]
        if len(old) != len(new):
            raise InputError(
                str(release), f"{table}/{doc_id}", "the raw text does not split as in the release"
            )
        rows = iter(to_row(x) for x in new)
        for j, r in enumerate(tables[table]):
            if r["doc_id"] == doc_id:
                nr = next(rows)
                _same(r, nr, f"{table}/{doc_id}")
                tables[table][j] = nr
    text = res.document.text
    for table in ("concept_mentions", "mention_reviews"):
        for m in tables[table]:
            if m["doc_id"] == doc_id:
                m["surface"] = text[m["start"] : m["end"]]
    for s in tables["stances"]:
        if s["doc_id"] == doc_id:
            for ev in s["evidence"]:
                ev["quote"] = text[ev["start"] : ev["end"]]


def _build_files(release: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(build_config, build_summary) of a release, after checking every file rehydration needs, before the
    (large) tables are read; a release irbc wrote has them all."""
    from irbc.gate.release import (
        RELEASE_HAS_IT,
        check_release_folder,
        entry_problem,
        json_members,
        read_release_json,
    )

    check_release_folder(release)
    config = read_release_json(release, "build_config.json", "rehydrate")
    json_members(config, release / "build_config.json", "text_policy", "inputs", "noise_probes")
    summary = read_release_json(release, "build_summary.json", "rehydrate")
    json_members(
        summary, release / "build_summary.json", "summary", "diagnostics", "skipped", "tagger_scores"
    )
    for rel in (BUILD_INPUTS, *(f"{BUILD_INPUTS}/{name}" for name in INPUT_FILES)):
        problem = entry_problem(release, rel) or (None if (release / rel).exists() else "missing")
        if problem:
            raise InputError(str(release / rel), None, f"{problem}: rehydrate needs it ({RELEASE_HAS_IT})")
    return config, summary


def rehydrate(release: Path, raw_dir: Path) -> BuildResult:
    """Rebuild the full BuildResult of a stand-off release from the raw files in ``raw_dir``."""
    from irbc.gate.release import read_release_tables
    from irbc.release.docs import read_docs
    from irbc.stages.document import process_document
    from irbc.stages.read import load_corpus_config

    release, raw_dir = Path(release), Path(raw_dir)
    if not raw_dir.is_dir():
        raise InputError(str(raw_dir), None, "raw folder does not exist")
    config, summary = _build_files(release)
    cfg = load_corpus_config(release / BUILD_INPUTS)
    tables = read_release_tables(release)
    sources = {s["doc_id"]: s for s in cfg.sources}
    for i, doc in enumerate(tables["documents"]):
        if doc["text"] is not None:
            continue
        src = sources.get(doc["doc_id"])
        if src is None:
            raise InputError(
                str(release / BUILD_INPUTS / "sources.yaml"),
                None,
                f"no source for withheld document {doc['doc_id']}",
            )
        raw, sha = _read_raw_checked(raw_dir, src, doc)
        res = process_document(src, raw, cfg.rules, cfg.profile(src["site"]), sha)
        full = to_row(res.document)
        _same(doc, full, f"documents/{doc['doc_id']}")
        tables["documents"][i] = full
        _refill(tables, release, doc["doc_id"], res)
    _rebuild_works(tables, release)
    config["text_policy"] = "full"
    inputs = {name: (release / BUILD_INPUTS / name).read_bytes() for name in INPUT_FILES}
    return BuildResult(
        arrow_tables(tables),
        summary["summary"],
        config,
        summary["diagnostics"],
        summary["skipped"],
        summary["tagger_scores"],
        inputs,
        cfg.description,
        docs=read_docs(release),
    )


def _rebuild_works(tables: dict[str, list[dict[str, Any]]], release: Path) -> None:
    """The works table again from the refilled citations (its withheld columns come back with them)."""
    from irbc.stages.works import work_rows

    new = work_rows(tables["citations"])
    if len(new) != len(tables["works"]):
        raise InputError(
            str(release), "works", "the rehydrated citations do not group into the release's works"
        )
    for old, nw in zip(tables["works"], new, strict=True):
        _same(old, nw, f"works/{old['work_id']}")
    tables["works"] = new


def _same(old: dict[str, Any], new: dict[str, Any], where: str) -> None:
    for k, v in old.items():
        if v is not None and v != new.get(k):
            raise InputError(where, k, "rehydrated value differs from the release")
