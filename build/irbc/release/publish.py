"""Publish a validated release to the Hugging Face Hub. Default: a dry run that prints what would be uploaded.
A release that carries the text of a document whose redistribution is ``withhold`` is refused before anything
is listed (release.rights decides, from the release's own files).

These machines cannot reach the Hub, so the dry run and the refusals are tested; the real upload is the few
``huggingface_hub`` calls at the end, kept small and obvious."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from irbc.core.errors import IrbcError
from irbc.gate.release import (
    check_release_folder,
    json_members,
    read_release_json,
    release_files,
    validate_release,
)
from irbc.release.rights import release_publishable


def plan(release: Path) -> list[tuple[str, int]]:
    """The regular files of the release with their sizes (links are never followed: ``publish`` refuses them)."""
    return [(rel, (release / rel).stat().st_size) for rel in release_files(release)[0]]


def publish(release: Path, repo_id: str, *, dry_run: bool = True) -> list[tuple[str, int]]:
    if "/" not in repo_id or repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise IrbcError(f"--repo-id must be OWNER/NAME, got {repo_id!r}")
    release = Path(release)
    check_release_folder(release)
    odd = release_files(release)[1]
    if odd:  # upload_folder would upload what a link points to (anything on this machine)
        more = f" and {len(odd) - 3} more" if len(odd) > 3 else ""
        raise IrbcError(
            f"refusing to publish {release}: a release holds regular files only, and {'; '.join(odd[:3])}{more}"
        )
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
    manifest = json_members(
        read_release_json(release, "manifest.json", "publish"), release / "manifest.json", "dataset_version"
    )
    tag = f"v{manifest['dataset_version']}"
    files = plan(release)
    token = None if dry_run else os.environ.get("HF_TOKEN", "").strip()
    if not dry_run and not token:
        raise IrbcError("HF_TOKEN is not set: cannot upload (nothing was uploaded)")
    out = sys.stdout
    mode = "DRY RUN: would upload" if dry_run else "uploading"
    out.write(f"{mode} {len(files)} files to https://huggingface.co/datasets/{repo_id} (tag {tag})\n")
    for rel, size in files:
        out.write(f"  {rel}\t{size}\n")
    out.flush()
    if not dry_run:
        _upload(release, repo_id, tag, str(token))
    return files


def _upload(release: Path, repo_id: str, tag: str, token: str) -> None:
    """The few Hub calls; a Hub that cannot be reached, or answers with an error, is one line naming the step."""
    try:
        from huggingface_hub import HfApi
        from huggingface_hub.errors import HfHubHTTPError
    except ImportError as exc:
        raise IrbcError(f"cannot upload: huggingface_hub is not installed ({exc})") from exc
    api = HfApi(token=token)
    steps: list[tuple[str, Callable[[], Any]]] = [
        (
            "creating the dataset repository",
            lambda: api.create_repo(repo_id, repo_type="dataset", exist_ok=True),
        ),
        (
            "uploading the files",
            lambda: api.upload_folder(
                folder_path=str(release),
                repo_id=repo_id,
                repo_type="dataset",
                commit_message=f"IR Balancing Corpus {tag}",
            ),
        ),
        (f"creating the tag {tag}", lambda: api.create_tag(repo_id, tag=tag, repo_type="dataset")),
    ]
    # HfHubHTTPError's bases are the HTTP client's own error base (httpx2, httpx or requests by version: its
    # connection errors) and OSError (offline mode, timeouts, socket errors)
    hub_errors = tuple(c for c in HfHubHTTPError.__mro__ if issubclass(c, Exception) and c is not Exception)
    for i, (what, call) in enumerate(steps):
        try:
            call()
        except hub_errors as exc:
            done = (
                f" (done before it: {', '.join(w for w, _ in steps[:i])})" if i else " (nothing was uploaded)"
            )
            msg = " ".join(str(exc).split())[:300] or type(exc).__name__
            if isinstance(exc, HfHubHTTPError):
                raise IrbcError(f"the Hub refused {what} for {repo_id}: {msg}{done}") from exc
            if isinstance(exc, OSError) and exc.filename:  # a local file, not the network
                raise IrbcError(f"{what} failed: {exc.filename}: {exc.strerror or msg}{done}") from exc
            raise IrbcError(f"could not reach the Hub while {what} for {repo_id}: {msg}{done}") from exc
