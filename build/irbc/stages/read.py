"""The read stage: the corpus folder (sources manifest, cleaning rules, structure profiles) and its raw texts,
with one-line errors for bad input."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from irbc.core.errors import InputError, InputErrors
from irbc.core.io import load_config_file, sha256_file
from irbc.stages.rules import Rule, compile_declared, compile_rules

# Documented limit: a raw text larger than this is refused (a scraped article is ~20-50 kB; 64 MiB leaves
# ample room while keeping the per-document stage inside the memory target).
MAX_RAW_BYTES = 64 * 1024 * 1024
# The profile (and the site tag of the rules) of every source whose site has no profile in corpus/profiles.yaml.
GENERIC = "generic"


@dataclass(frozen=True)
class CorpusConfig:
    root: Path
    sources: list[dict[str, Any]]
    rules: list[Rule]
    profiles: dict[str, dict[str, Any]]
    input_hashes: dict[str, str]
    description: dict[str, Any]  # dataset.yaml: the corpus-specific prose of the card and DATASHEET

    def profile_name(self, site: str) -> str:
        """The profile a site uses: its own, or ``generic`` for a site without one (``default`` if the corpus
        declares no ``generic`` profile)."""
        if site in self.profiles:
            return site
        return GENERIC if GENERIC in self.profiles else "default"

    def profile(self, site: str) -> dict[str, Any]:
        """The resolved profile of a site: ``default`` overridden by the profile the site uses; ``name`` is that
        profile's name (the rules of the site ``generic`` apply where it is ``generic``)."""
        name = self.profile_name(site)
        base = dict(self.profiles["default"])
        base.update(self.profiles.get(name, {}))
        base["name"] = name
        return base

    def unprofiled_sites(self) -> list[str]:
        """Sites of the sources manifest that have no profile of their own (in manifest order): their sources
        use the generic profile and rules, and the build warns once per site."""
        return list(dict.fromkeys(s["site"] for s in self.sources if s["site"] not in self.profiles))

    def profile_warnings(self) -> list[str]:
        """The build log's warning for each site without a profile (one line per site)."""
        count = Counter(s["site"] for s in self.sources)
        return [
            f"warning: site {site!r} has no profile in profiles.yaml: the {self.profile_name(site)} profile was "
            f"used for its {count[site]} source(s)"
            for site in self.unprofiled_sites()
        ]


READ_BY_THE_BUILD = ("sources.yaml", "rules.yaml", "profiles.yaml", "dataset.yaml", "raw", "annotations")


def refuse_links(root: Path) -> None:
    """Everything the build reads must be a plain file or folder inside the corpus folder: a symbolic link
    (which could ship /etc/passwd as a document) is refused, whatever --on-bad-input says. The corpus folder
    itself may be reached through a link."""
    for name in READ_BY_THE_BUILD:
        top = root / name
        if top.is_symlink():
            raise InputError(
                str(top), None, "is a symbolic link: the build reads no links (copy the file in)"
            )
        if not top.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            for n in sorted(dirnames + filenames):
                p = Path(dirpath) / n
                if p.is_symlink():
                    raise InputError(
                        str(p), None, "is a symbolic link: the build reads no links (copy the file in)"
                    )


def load_corpus_config(root: Path) -> CorpusConfig:
    root = Path(root)
    if not root.exists():
        raise InputError(str(root), None, "corpus folder does not exist")
    if not root.is_dir():
        raise InputError(str(root), None, "corpus path is not a folder")
    refuse_links(root)
    files = {
        "sources": root / "sources.yaml",
        "rules": root / "rules.yaml",
        "profiles": root / "profiles.yaml",
        "description": root / "dataset.yaml",
    }
    loaded, problems = {}, []
    for key, schema in (("sources", "sources_manifest"), ("rules", "cleaning_rules"),
                        ("profiles", "structure_profiles"), ("description", "dataset_description")):  # fmt: skip
        try:
            loaded[key] = load_config_file(files[key], schema)
        except InputErrors as exc:
            problems += exc.problems
        except InputError as exc:
            problems.append(exc)
    if problems:  # every configuration file is checked before the first error stops the build
        raise InputErrors.of(problems)
    manifest, rules_data, description = loaded["sources"], loaded["rules"], loaded["description"]
    profiles = loaded["profiles"]["profiles"]
    seen: dict[str, set[str]] = {"doc_id": set(), "source_file": set()}
    for i, s in enumerate(manifest["sources"]):
        for key in ("doc_id", "source_file"):
            if s[key] in seen[key]:
                raise InputError(str(files["sources"]), f"/sources/{i}/{key}", f"duplicate {key} {s[key]!r}")
            seen[key].add(s[key])
    ids = [r["id"] for r in rules_data["rules"]]
    dup = {x for x in ids if ids.count(x) > 1}
    if dup:
        raise InputError(str(files["rules"]), None, f"duplicate rule id(s): {sorted(dup)}")
    rules = compile_rules(rules_data, str(files["rules"]))
    _check_profile_patterns(profiles, str(files["profiles"]))
    hashes = {f"corpus/{p.name}": sha256_file(p) for p in files.values()}
    return CorpusConfig(root, manifest["sources"], rules, profiles, hashes, description)


def _check_profile_patterns(profiles: dict[str, dict[str, Any]], file: str) -> None:
    """Every regex of the structure profiles must be one RE2 can run (as the rules' patterns), and a note label
    pattern must have the groups the structure stage reads."""
    for name, prof in profiles.items():
        notes, callouts = prof.get("notes") or {}, prof.get("callouts") or {}
        checks = [
            (f"heading_kinds/{i}", h["pattern"], "i") for i, h in enumerate(prof.get("heading_kinds", []))
        ]
        checks += [(f"notes.{k}", notes[k], "") for k in ("label_block", "label_inline") if notes.get(k)]
        checks += [("callouts.pattern", callouts["pattern"], "")] if callouts.get("pattern") else []
        for key, pattern, flags in checks:
            try:
                rx = compile_declared(pattern, flags)
            except ValueError as exc:
                raise InputError(file, f"profile {name} {key}", str(exc)) from None
            need = {
                "notes.label_block": {"label", *notes.get("equal_groups", [])},
                "notes.label_inline": {"label"},
            }
            missing = sorted(need.get(key, set()) - set(rx.groupindex))
            if missing:
                raise InputError(file, f"profile {name} {key}", f"the pattern has no group(s) {missing}")


def _guess_encoding(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 (byte-order mark)"
    if data.count(b"\x00") > len(data) // 4 and len(data) > 1:
        return "UTF-16 without BOM"
    try:
        data.decode("cp1252")
        return "Windows-1252 / Latin-1"
    except UnicodeDecodeError:
        return "an unknown 8-bit encoding"


def read_raw(path: Path) -> tuple[str, str]:
    """Read one raw text strictly: (text, sha256). Raw offsets are characters of the UTF-8 decoded file."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read raw file: {exc.strerror}") from exc
    if size == 0:
        raise InputError(str(path), None, "empty raw file")
    if size > MAX_RAW_BYTES:
        raise InputError(
            str(path), None, f"raw file is {size} bytes, over the documented limit of {MAX_RAW_BYTES}"
        )
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        b"\x00" in data and data.count(b"\x00") > len(data) // 4
    ):
        raise InputError(str(path), None, f"not UTF-8: looks like {_guess_encoding(data)}")
    if b"\x00" in data:
        nul = data.index(b"\x00")
        raise InputError(str(path), f"byte {nul}", "binary file (NUL byte)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            str(path), f"byte {exc.start}", f"not UTF-8: looks like {_guess_encoding(data)}"
        ) from exc
    if text.startswith("\ufeff"):
        raise InputError(
            str(path), "byte 0", "UTF-8 byte-order mark: remove it so raw offsets stay unambiguous"
        )
    return text, hashlib.sha256(data).hexdigest()
