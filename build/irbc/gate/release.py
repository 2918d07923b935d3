"""The gate as a whole: ``validate_tables`` on the tables of a build before its release is written, and
``validate_release`` on any release folder (including one downloaded later), which adds the manifest checks."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from irbc.core.errors import InputError
from irbc.core.io import sha256_file
from irbc.core.schema import DOC_TABLES, TABLES
from irbc.core.tables import TableStore, table_path
from irbc.gate.expectations import gx_checks
from irbc.gate.parquet_schema import parquet_schema_checks
from irbc.gate.records import chunked_record_checks, jsonschema_checks, record_checks
from irbc.gate.report import MAX_EXAMPLES, Check, Report, guarded


def validate_tables(
    tables: TableStore | dict[str, Any],
    summary: dict[str, Any] | None = None,
    probes: dict[str, str] | None = None,
    timings: dict[str, float] | None = None,
    workers: int = 1,
    prechecked: list[Check] | None = None,
    run_gx: Callable[[TableStore, dict[str, str], int], list[Check]] | None = None,
) -> Report:
    """Run every content check on Arrow ``tables``. ``prechecked``: the jsonschema and integrity checks the
    build already ran on the document tables in its workers (merged); only the global tables are then
    record-checked here. ``timings`` (if given) receives seconds per kind of check. ``run_gx``: what runs the
    great-expectations suites (``gx_checks`` here, or a build's forked ``GateProcess``)."""
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
            "great_expectations", lambda: (run_gx or gx_checks)(tables, probes or {}, workers), report.checks
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


def check_release_folder(release: Path) -> None:
    """Refuse, in one line, a path that is not an irbc release folder at all (missing, a file, a folder with
    neither manifest.json nor data/), before any of its files is read."""
    if not release.exists():
        raise InputError(str(release), None, "release folder does not exist")
    if not release.is_dir():
        raise InputError(str(release), None, "is a file, not a release folder")
    has_manifest = os.path.lexists(release / "manifest.json")
    has_data = os.path.lexists(release / "data")
    if not has_manifest and not has_data:
        raise InputError(str(release), None, "is not an irbc release: no manifest.json and no data/ folder")
    if not has_data:
        raise InputError(str(release), None, "is not a complete irbc release: no data/ folder")


def open_release(release: Path) -> TableStore:
    """The tables of a release folder, read from its files on access (a piece at a time by the checks). Every
    table file must be there, a regular file inside the release (never read through a symbolic link), with a
    readable footer; a read that fails later names its file too."""
    release = Path(release)
    check_release_folder(release)
    store = TableStore(folder=release / "data")
    for t in TABLES:
        path = table_path(release / "data", t)
        unsafe = entry_problem(release, str(path.relative_to(release)))
        if unsafe:
            raise InputError(str(path), None, f"{unsafe}: a release holds regular files only")
        if not path.is_file():
            raise InputError(str(path), None, "missing table file")
        store.schema(t)
    return store


# ------------------------------------------------------------------------------------------ the release's files
def release_files(release: Path) -> tuple[list[str], list[str]]:
    """The regular files of a release folder (POSIX paths relative to it, sorted), and one line for each entry
    that is not a regular file or folder (a symbolic link, named with its target, a FIFO, ...). Never follows a
    link, so nothing outside the folder is listed."""
    files: list[str] = []
    odd: list[str] = []
    for dirpath, dirnames, filenames in os.walk(release):
        here = Path(dirpath)
        for name in sorted(dirnames + filenames):
            p = here / name
            rel = p.relative_to(release).as_posix()
            mode = p.lstat().st_mode
            if stat.S_ISLNK(mode):
                odd.append(f"{rel} is a symbolic link (to {os.readlink(p)})")
            elif stat.S_ISREG(mode):
                files.append(rel)
            elif not stat.S_ISDIR(mode):
                odd.append(f"{rel} is not a regular file")
    return sorted(files), sorted(odd)


def entry_problem(release: Path, rel: str) -> str | None:
    """Why the path ``rel`` (a manifest entry, a table file) must not be read from ``release``, or None: it is
    absolute, climbs out (``..``), is not written as irbc writes paths, or goes through a symbolic link."""
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts:
        return "points outside the release folder (not read)"
    if not rel or str(p) != rel or "\\" in rel or rel == ".":
        return "is not a plain relative path inside the release (not read)"
    for i in range(1, len(p.parts) + 1):
        if release.joinpath(*p.parts[:i]).is_symlink():
            through = f"goes through the symbolic link {'/'.join(p.parts[:i])}" if i < len(p.parts) else ""
            return (through or "is a symbolic link") + " (not read)"
    if not (release / rel).resolve().is_relative_to(release.resolve()):
        return "resolves outside the release folder (not read)"
    return None


RELEASE_HAS_IT = "every release irbc build writes has it"


def read_release_json(release: Path, name: str, needed_for: str | None = None) -> Any:
    """The JSON file ``name`` of a release, or None if it is absent (or a symbolic link, which is never read;
    the release-file checks name it). ``needed_for``: absent is an error naming the file and what needs it.
    Unreadable or invalid JSON is always an error naming the file, the place and the reason."""
    path = release / name
    unsafe = entry_problem(release, name)
    if unsafe or not path.is_file():
        if needed_for is None:
            return None
        raise InputError(str(path), None, f"{unsafe or 'missing'}: {needed_for} needs it ({RELEASE_HAS_IT})")
    return parse_json_file(path)


def parse_json_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"byte {exc.start}", f"not UTF-8 text ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            str(path), f"line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}"
        ) from exc
    except OSError as exc:
        raise InputError(str(path), None, f"cannot be read: {exc.strerror or exc}") from exc


def json_members(data: Any, path: Path, *keys: str) -> dict[str, Any]:
    """``data`` (parsed from ``path``) as a JSON object holding every one of ``keys``, or an error naming the
    first one missing."""
    if not isinstance(data, dict):
        raise InputError(str(path), None, f"not a JSON object (it holds a {type(data).__name__})")
    for k in keys:
        if k not in data:
            raise InputError(str(path), None, f'no "{k}" member')
    return data


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def manifest_checks(release: Path) -> list[Check]:
    """The files against the manifest: every entry a plain path inside the release, present, with its SHA-256,
    size and row count; every regular file listed. A missing or corrupt manifest is one failing check."""
    release = Path(release)
    mpath = release / "manifest.json"
    if not os.path.lexists(mpath):
        return [Check("manifest.json present", "release", "manifest", False, 0, 1, ["manifest.json missing"])]
    try:
        files = _manifest_files(release)
    except InputError as exc:
        where = f" at {exc.place}" if exc.place else ""
        return [_manifest_check(0, [f"manifest.json{where}: {exc.reason}"])]
    probs = []
    for rel, info in sorted(files.items()):
        unsafe = entry_problem(release, rel)
        p = release / rel
        if unsafe:
            probs.append(f"{rel!r}: {unsafe}")
        elif not isinstance(info, dict) or not isinstance(info.get("sha256"), str):
            probs.append(f"{rel}: the manifest entry has no sha256")
        elif not p.is_file():
            probs.append(f"{rel} listed in manifest but missing")
        elif sha256_file(p) != info["sha256"]:
            probs.append(f"{rel}: SHA-256 differs from the manifest (tampered or corrupted)")
        elif p.stat().st_size != info.get("bytes"):
            probs.append(f"{rel}: {p.stat().st_size} bytes, the manifest says {info.get('bytes')}")
        elif p.suffix == ".parquet" and _parquet_rows(p) != info.get("rows"):
            probs.append(f"{rel}: {_parquet_rows(p)} rows, the manifest says {info.get('rows')}")
    on_disk = set(release_files(release)[0]) - {"manifest.json"}
    for extra in sorted(on_disk - set(files)):
        probs.append(f"{extra} is not listed in the manifest")
    return [_manifest_check(len(files), probs), _publishable_check(release)]


def _manifest_files(release: Path) -> dict[str, Any]:
    mpath = release / "manifest.json"
    unsafe = entry_problem(release, "manifest.json")
    if unsafe:
        raise InputError(str(mpath), None, unsafe)
    if not mpath.is_file():
        raise InputError(str(mpath), None, "not a file")
    files = json_members(parse_json_file(mpath), mpath, "files")["files"]
    if not isinstance(files, dict):
        raise InputError(str(mpath), None, f'its "files" member is not an object (a {type(files).__name__})')
    return files


def _manifest_check(n: int, probs: list[str]) -> Check:
    return Check(
        "files match manifest SHA-256", "release", "manifest", not probs, n, len(probs), probs[:MAX_EXAMPLES]
    )


def link_check(release: Path) -> Check:
    """A release holds regular files and folders only: ``publish`` would upload what a link points to."""
    files, odd = release_files(release)
    return Check(
        "no symbolic links or other non-regular files in the release",
        "release",
        "manifest",
        not odd,
        len(files) + len(odd),
        len(odd),
        odd[:MAX_EXAMPLES],
    )


def _publishable_check(release: Path) -> Check:
    """The manifest's ``publishable`` record is what the release's own data say (release.rights)."""
    from irbc.release.rights import release_publishable

    recorded = parse_json_file(release / "manifest.json").get("publishable")
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


# ------------------------------------------------------------------------------------------ the whole release
def validate_release(release: Path, workers: int = 1) -> Report:
    """Every content check (as the build ran them) plus the release-file checks (required files, manifest, no
    links, Parquet schemas: kinds ``RELEASE_FILE_KINDS``) on a release folder; ``workers`` processes run the
    great-expectations pieces (the report does not depend on it)."""
    release = Path(release)
    tables = open_release(release)
    summary = probes = None
    bs = read_release_json(release, "build_summary.json")
    if bs is not None:
        summary = json_members(bs, release / "build_summary.json", "summary")["summary"]
    bc = read_release_json(release, "build_config.json")
    if bc is not None:
        probes = json_members(bc, release / "build_config.json").get("noise_probes")
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
    report.checks.append(link_check(release))
    report.checks += parquet_schema_checks(tables)
    return report


def view_checks(release: Path, tables: TableStore) -> list[Check]:
    """Every derived view (release.views) holds exactly the rows its table gives."""
    from irbc.release.views import VIEWS, check_view

    out = []
    for v in VIEWS:
        probs = check_view(tables, release, v)
        out.append(Check(v.check_name, v.name, "view", not probs, 1, len(probs), probs))
    return out
