"""The read stage: the corpus folder (sources manifest, cleaning rules, structure profiles) and its raw texts,
with one-line errors for bad input."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from irbc.core.errors import InputError
from irbc.core.io import load_config_file, sha256_file
from irbc.stages.rules import Rule, compile_rules

# Documented limit: a raw text larger than this is refused (a scraped article is ~20-50 kB; 64 MiB leaves
# ample room while keeping the per-document stage inside the memory target).
MAX_RAW_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class CorpusConfig:
    root: Path
    sources: list[dict[str, Any]]
    rules: list[Rule]
    profiles: dict[str, dict[str, Any]]
    input_hashes: dict[str, str]
    description: dict[str, Any]  # dataset.yaml: the corpus-specific prose of the card and DATASHEET

    def profile(self, site: str) -> dict[str, Any]:
        base = dict(self.profiles["default"])
        base.update(self.profiles.get(site, {}))
        return base


def load_corpus_config(root: Path) -> CorpusConfig:
    root = Path(root)
    if not root.exists():
        raise InputError(str(root), None, "corpus folder does not exist")
    if not root.is_dir():
        raise InputError(str(root), None, "corpus path is not a folder")
    files = {
        "sources": root / "sources.yaml",
        "rules": root / "rules.yaml",
        "profiles": root / "profiles.yaml",
        "description": root / "dataset.yaml",
    }
    manifest = load_config_file(files["sources"], "sources_manifest")
    rules_data = load_config_file(files["rules"], "cleaning_rules")
    profiles = load_config_file(files["profiles"], "structure_profiles")["profiles"]
    description = load_config_file(files["description"], "dataset_description")
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
    try:
        rules = compile_rules(rules_data)
    except Exception as exc:  # re.error
        raise InputError(str(files["rules"]), None, f"bad pattern: {exc}") from exc
    hashes = {f"corpus/{p.name}": sha256_file(p) for p in files.values()}
    return CorpusConfig(root, manifest["sources"], rules, profiles, hashes, description)


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
