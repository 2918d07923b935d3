"""Handing freed memory back to the operating system between a build's stages."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any


@cache
def _libc() -> Any:
    """glibc, if this process runs on it (None elsewhere: musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    if libc is None or not hasattr(libc, "malloc_trim"):
        return None
    libc.malloc_trim.argtypes = [ctypes.c_size_t]
    libc.malloc_trim.restype = ctypes.c_int
    return libc


def trim_memory() -> None:
    """Return the memory this process has freed but still holds: Arrow's pool (mimalloc keeps freed pages for
    reuse) and glibc's heap (``malloc_trim``, as dask's workers do). Called in the driver after the documents are
    in and before it forks the exporters' processes: a forked process that allocates into the pages it inherited
    copies them, so what the driver holds but does not use would otherwise be paid for again in each process.
    Changes no data; a no-op where neither applies."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
