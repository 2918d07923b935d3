"""The options of a build, as the CLI and the benchmark pass them to the driver."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class BuildOptions:
    corpus: Path
    out: Path
    on_bad_input: str = "error"  # "error" | "skip"
    text_policy: str = "full"  # "full" | "standoff"
    workers: int = 1
    executor: str = "local"  # a registered executor: "local" | "dask"
    scheduler: str | None = None  # dask scheduler address; None = a LocalCluster
