"""The gate as a whole: ``validate_tables`` on the tables of a build before its release is written, and
``validate_release`` on any release folder (including one downloaded later), which adds the manifest checks."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from irbc.core.errors import InputError
from irbc.core.io import sha256_file
from irbc.core.schema import DOC_TABLES, TABLES
from irbc.core.tables import TableStore, table_path
from irbc.gate.expectations import gx_checks
from irbc.gate.records import chunked_record_checks, jsonschema_checks, record_checks
from irbc.gate.report import MAX_EXAMPLES, Check, Report, guarded


def validate_tables(
    tables: TableStore | dict[str, Any],
    summary: dict[str, Any] | None = None,
    probes: dict[str, str] | None = None,
    timings: dict[str, float] | None = None,
    workers: int = 1,
    prechecked: list[Check] | None = None,
) -> Report:
    """Run every content check on Arrow ``tables``. ``prechecked``: the jsonschema and integrity checks the
    build already ran on the document tables in its workers (merged); only the global tables are then
    record-checked here. ``timings`` (if given) receives seconds per kind of check."""
    timings = {} if timings is None else timings
    if not isinstance(tables, TableStore):
        tables = TableStore(dict(tables))
    report = Report()
    t0 = time.perf_counter()
    if prechecked is not None:
        glob = {t: tables[t].to_pylist() for t in TABLES if t not in DOC_TABLES}
        checks = jsonschema_checks(glob, tuple(glob)) + prechecked
    elif all(t in tables for t in TABLES):
        checks = chunked_record_checks(tables, summary)
    else:
        checks = record_checks({t: tables[t].to_pylist() for t in TABLES if t in tables}, summary)
    # one jsonschema check per table, in table order, whichever path produced it
    report.checks += sorted(
        (c for c in checks if c.kind == "jsonschema"), key=lambda c: TABLES.index(c.table)
    )
    timings["record_checks"] = time.perf_counter() - t0
    if all(t in tables for t in TABLES):
        t0 = time.perf_counter()
        report.checks += guarded(
            "great_expectations", lambda: gx_checks(tables, probes or {}, workers), report.checks
        )
        timings["great_expectations"] = time.perf_counter() - t0
    report.checks += [c for c in checks if c.kind != "jsonschema"]
    return report


# ------------------------------------------------------------------------------------------ release folder
def read_release_tables(release: Path) -> dict[str, list[dict[str, Any]]]:
    return {t: tbl.to_pylist() for t, tbl in read_release_arrow(release).items()}


def read_release_arrow(release: Path) -> dict[str, Any]:
    store = open_release(release)
    return {t: store.read(t) for t in TABLES}


def open_release(release: Path) -> TableStore:
    """The tables of a release folder, read from its files on access (a piece at a time by the checks). Every
    table file must be there with a readable footer; a read that fails later names its file too."""
    store = TableStore(folder=release / "data")
    for t in TABLES:
        path = table_path(release / "data", t)
        if not path.is_file():
            raise InputError(str(path), None, "missing table file")
        store.schema(t)
    return store


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def manifest_checks(release: Path) -> list[Check]:
    mpath = release / "manifest.json"
    if not mpath.is_file():
        return [Check("manifest.json present", "release", "manifest", False, 0, 1, ["manifest.json missing"])]
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    probs = []
    files = manifest.get("files", {})
    for rel, info in sorted(files.items()):
        p = release / rel
        if not p.is_file():
            probs.append(f"{rel} listed in manifest but missing")
        elif sha256_file(p) != info["sha256"]:
            probs.append(f"{rel}: SHA-256 differs from the manifest (tampered or corrupted)")
        elif p.stat().st_size != info.get("bytes"):
            probs.append(f"{rel}: {p.stat().st_size} bytes, the manifest says {info.get('bytes')}")
        elif p.suffix == ".parquet" and _parquet_rows(p) != info.get("rows"):
            probs.append(f"{rel}: {_parquet_rows(p)} rows, the manifest says {info.get('rows')}")
    on_disk = {str(p.relative_to(release)) for p in release.rglob("*") if p.is_file()} - {"manifest.json"}
    for extra in sorted(on_disk - set(files)):
        probs.append(f"{extra} is not listed in the manifest")
    return [
        Check(
            "files match manifest SHA-256",
            "release",
            "manifest",
            not probs,
            len(files),
            len(probs),
            probs[:MAX_EXAMPLES],
        ),
        _publishable_check(release, manifest),
    ]


def _publishable_check(release: Path, manifest: dict[str, Any]) -> Check:
    """The manifest's ``publishable`` record is what the release's own data say (release.rights)."""
    from irbc.release.rights import release_publishable

    recorded = manifest.get("publishable")
    try:
        actual = release_publishable(release)
    except InputError as exc:
        probs = [str(exc)]
    else:
        probs = (
            [] if recorded == actual else [f"manifest.json says publishable {recorded}, the data {actual}"]
        )
    return Check(
        "manifest publishable matches the data", "release", "manifest", not probs, 1, len(probs), probs
    )


def validate_release(release: Path, workers: int = 1) -> Report:
    """Every content check plus the manifest checks on a release folder; ``workers`` processes run the
    great-expectations pieces (the report does not depend on it)."""
    release = Path(release)
    if not release.is_dir():
        raise InputError(str(release), None, "release folder does not exist")
    tables = open_release(release)
    summary = probes = None
    bs = release / "build_summary.json"
    if bs.is_file():
        summary = json.loads(bs.read_text(encoding="utf-8"))["summary"]
    bc = release / "build_config.json"
    if bc.is_file():
        probes = json.loads(bc.read_text(encoding="utf-8")).get("noise_probes")
    report = validate_tables(tables, summary, probes, workers=workers)
    from irbc.release.exporters import required_files

    required = required_files()
    missing = [f for f in required if not (release / f).is_file()]
    report.checks.append(
        Check(
            "required release files present",
            "release",
            "manifest",
            not missing,
            len(required),
            len(missing),
            [f"{f} is missing" for f in missing],
        )
    )
    report.checks += view_checks(release, tables)
    report.checks += manifest_checks(release)
    return report


def view_checks(release: Path, tables: TableStore) -> list[Check]:
    """Every derived view (release.views) holds exactly the rows its table gives."""
    from irbc.release.views import VIEWS, check_view

    out = []
    for v in VIEWS:
        probs = check_view(tables, release, v)
        name = f"view equals the {v.annotator} rows of {v.table}"
        out.append(Check(name, v.name, "integrity", not probs, 1, len(probs), probs))
    return out
