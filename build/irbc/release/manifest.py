"""manifest.json: the seal of a release, written last: dataset and codebook versions, text policy, whether the
release may be published and why (release.rights), provenance, and the SHA-256, size and row count of every other
file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irbc import DATASET_VERSION
from irbc.annotators.codebook import load_codebook
from irbc.core.io import sha256_file, write_json
from irbc.core.result import BuildResult
from irbc.core.schema import schema_dir
from irbc.release.rights import result_publishable

MANIFEST = "manifest.json"
MANIFEST_DESCRIPTION = (
    "the seal, written last: versions, provenance, and the SHA-256, size and rows of every file"
)


def write_manifest(release: Path, result: BuildResult) -> None:
    import pyarrow.parquet as pq

    files = {}
    for p in sorted(release.rglob("*")):
        if not p.is_file() or p.name == MANIFEST:
            continue
        rel = str(p.relative_to(release))
        info: dict[str, Any] = {"sha256": sha256_file(p), "bytes": p.stat().st_size}
        if p.suffix == ".parquet":
            info["rows"] = pq.ParquetFile(p).metadata.num_rows
        files[rel] = info
    manifest = {
        "dataset": result.description["name"],
        "dataset_version": DATASET_VERSION,
        "codebook_version": load_codebook(schema_dir() / "codebook.yaml").version,
        "text_policy": result.config["text_policy"],
        "publishable": result_publishable(result),
        "skipped_inputs": result.skipped,
        "provenance": {"inputs": result.config["inputs"], "git_commit": result.config.get("git_commit")},
        "files": files,
    }
    write_json(release / MANIFEST, manifest)


def release_kind(release: Path) -> str:
    """One line on which kind of release this is, from its manifest's ``publishable`` record (release.rights)."""
    import json

    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    rights, policy = manifest["publishable"], manifest["text_policy"]
    if not rights["ok"]:
        docs = rights["documents_with_withheld_text"]
        return (
            f"{policy}-text release for local use, NOT publishable: it contains the text of {len(docs)} "
            f"document(s) whose redistribution is `withhold` ({', '.join(docs)}); for the publishable stand-off "
            "release run `irbc build --text-policy standoff --out DIR` (make release-standoff)"
        )
    kind = "stand-off release" if policy == "standoff" else f"{policy}-text release"
    return f"{kind}, publishable: {rights['reason']}"
