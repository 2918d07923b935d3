"""The one atomic release writer, used by ``build`` and ``rehydrate``: everything is written into a staging
folder beside the target, which is renamed into place only when complete. The previous release is moved aside
first and removed last; a build killed half-way leaves it as it was, and the next build cleans up."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from irbc.core.errors import IrbcError
from irbc.gate.release import release_files
from irbc.release.manifest import MANIFEST


class UnsafeTarget(IrbcError):
    """The output folder is one this tool must never replace; nothing was touched."""

    def __init__(self, out: Path, reason: str) -> None:
        super().__init__(f"--out {out}: {reason}; refusing to write there (nothing was touched)")


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _release_files(folder: Path) -> set[str] | None:
    """The files an irbc release's manifest lists, or None if ``folder`` holds no readable irbc manifest."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return None
    if "dataset_version" not in manifest:
        return None
    return set(manifest["files"])


def check_target(
    out: Path,
    protected: dict[str, Path],
    listing: Callable[[Path], set[str] | None] = _release_files,
    marker: str = MANIFEST,
    kind: str = "an irbc release (no irbc manifest.json)",
    noun: str = "release",
) -> Path:
    """Refuse, before any work starts, an output folder whose replacement could destroy a user's files: it may be
    missing, an empty folder, or an irbc release (its manifest lists every file in it). Never the root, the home
    folder, the current directory or a folder holding it, nor a ``protected`` folder (the corpus, the input
    release), a folder inside one or a folder holding one. Returns the resolved target. ``listing``, ``marker``,
    ``kind`` and ``noun`` say what else a folder may be replaced (``irbc export``: a previous export, by its
    ``irbc-export.json``)."""
    out = Path(out)
    if out.is_symlink():
        raise UnsafeTarget(out, "is a symbolic link")
    target = out.resolve()
    for what, folder in (
        ("the root folder", Path("/")),
        ("your home folder", Path.home()),
        ("the current folder", Path.cwd()),
    ):
        if _inside(folder.resolve(), target):
            raise UnsafeTarget(out, f"is or holds {what}")
    for what, folder in protected.items():
        f = Path(folder).resolve()
        if _inside(f, target) or _inside(target, f):
            raise UnsafeTarget(out, f"is, holds or lies inside {what} ({folder})")
    if not target.exists():
        parent = next(p for p in target.parents if p.exists())
        if not os.access(parent, os.W_OK | os.X_OK):
            raise UnsafeTarget(out, f"{parent} is not writable")
        return target
    if not target.is_dir():
        raise UnsafeTarget(out, "exists and is not a folder")
    entries = list(target.iterdir())
    if not entries:
        return _writable(out, target)
    listed = listing(target)
    if listed is None:
        raise UnsafeTarget(out, f"is a folder that is not empty and not {kind}")
    files, odd = release_files(target)  # the gate's walk: never follows a link
    if odd:
        raise UnsafeTarget(out, f"the {noun} holds what is not a regular file ({odd[0]})")
    for rel in files:
        if rel != marker and rel not in listed:
            raise UnsafeTarget(out, f"holds {rel}, which is not part of the {noun}")
    return _writable(out, target)


def _writable(out: Path, target: Path) -> Path:
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise UnsafeTarget(out, f"{target.parent} is not writable")
    return target


@contextmanager
def staged(out: Path) -> Iterator[tuple[Path, Path]]:
    """``with staged(out) as (tmp, out):`` write into ``tmp``; on leaving the block without an error ``tmp``
    replaces ``out`` (the resolved target); on any error ``tmp`` is removed and ``out`` is untouched."""
    out = Path(out).resolve()
    try:
        tmp = _staging(out)
    except OSError as exc:
        raise IrbcError(f"cannot write beside {out}: {exc.strerror or exc}; nothing was changed") from exc
    try:
        yield tmp, out
        _swap(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        where = exc.filename or out
        raise IrbcError(
            f"{where}: {exc.strerror or exc}; nothing was released, the previous release is untouched"
        ) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _staging(out: Path) -> Path:
    """A fresh temporary folder beside ``out`` (after cleaning up what killed builds left behind)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-{os.getpid()}-", dir=out.parent))
    tmp.chmod(0o755)
    return tmp


def _swap(tmp: Path, out: Path) -> None:
    """Rename the finished folder into place; the previous release is moved aside first and removed last."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}-old-{os.getpid()}-{tmp.name.rsplit('-', 1)[-1]}"
        out.rename(old)
    tmp.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(out: Path) -> None:
    """Clean up after builds that were killed (their process is gone): a half-written temporary folder is
    removed; a previous release that was moved aside but not yet replaced is put back, never deleted. A live
    concurrent build's folders are left alone."""
    pat = re.compile(rf"^\.{re.escape(out.name)}-(tmp|old)-(\d+)-")
    for p in sorted(out.parent.iterdir()):
        m = pat.match(p.name)
        if not m or not p.is_dir() or _pid_alive(int(m.group(2))):
            continue
        if m.group(1) == "old" and not out.exists():
            p.rename(out)
        else:
            shutil.rmtree(p, ignore_errors=True)
