"""The one atomic release writer, used by ``build`` and ``rehydrate``: everything is written into a staging
folder beside the target, which is renamed into place only when complete. The previous release is moved aside
first and removed last; a build killed half-way leaves it as it was, and the next build cleans up."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged(out: Path) -> Iterator[tuple[Path, Path]]:
    """``with staged(out) as (tmp, out):`` write into ``tmp``; on leaving the block without an error ``tmp``
    replaces ``out`` (the resolved target); on any error ``tmp`` is removed and ``out`` is untouched."""
    out = Path(out).resolve()
    tmp = _staging(out)
    try:
        yield tmp, out
        _swap(tmp, out)
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
