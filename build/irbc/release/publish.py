"""Publish a validated release to the Hugging Face Hub. Default: a dry run that prints what would be uploaded.
A release that carries the text of a document whose redistribution is ``withhold`` is refused before anything
is listed (release.rights decides, from the release's own files).

These machines cannot reach the Hub, so the dry run and the refusals are tested; the real upload is the few
``huggingface_hub`` calls at the end, kept small and obvious."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from irbc.core.errors import IrbcError
from irbc.gate.release import validate_release
from irbc.release.rights import release_publishable


def plan(release: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(release)), p.stat().st_size) for p in release.rglob("*") if p.is_file())


def publish(release: Path, repo_id: str, *, dry_run: bool = True) -> list[tuple[str, int]]:
    if "/" not in repo_id or repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise IrbcError(f"--repo-id must be OWNER/NAME, got {repo_id!r}")
    report = validate_release(release)
    if not report.passed:
        raise IrbcError(
            f"refusing to publish {release}: it does not validate ({len(report.failures)} failing "
            f"check(s); run `irbc validate {release}`)"
        )
    rights = release_publishable(release)
    if not rights["ok"]:
        docs = rights["documents_with_withheld_text"]
        raise IrbcError(
            f"refusing to publish {release}: it contains the text of {len(docs)} document(s) whose redistribution "
            f"is `withhold`: {', '.join(docs)}; publish the stand-off release (irbc build --text-policy standoff)"
        )
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    tag = f"v{manifest['dataset_version']}"
    files = plan(release)
    out = sys.stdout
    mode = "DRY RUN: would upload" if dry_run else "uploading"
    out.write(f"{mode} {len(files)} files to https://huggingface.co/datasets/{repo_id} (tag {tag})\n")
    for rel, size in files:
        out.write(f"  {rel}\t{size}\n")
    if dry_run:
        return files
    token = os.environ.get("HF_TOKEN")
    if not token:
        raise IrbcError("HF_TOKEN is not set: cannot upload")
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(repo_id, repo_type="dataset", exist_ok=True)
    api.upload_folder(
        folder_path=str(release),
        repo_id=repo_id,
        repo_type="dataset",
        commit_message=f"IR Balancing Corpus {tag}",
    )
    api.create_tag(repo_id, tag=tag, repo_type="dataset")
    return files
