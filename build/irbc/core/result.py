"""What a build produces, passed from the driver to the gate and the release writers (and rebuilt by
``rehydrate``): the tables, the summary and configuration, diagnostics and scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from irbc.core.tables import TableStore

if TYPE_CHECKING:
    from irbc.gate.report import Check


@dataclass
class BuildResult:
    tables: TableStore  # one Arrow table per release table, columns as declared in schema/
    summary: dict[str, Any]
    config: dict[str, Any]
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    scores: dict[str, Any] | None = None
    build_inputs: dict[str, bytes] = field(default_factory=dict)  # corpus config files shipped in the release
    description: dict[str, Any] = field(
        default_factory=dict
    )  # corpus/dataset.yaml (card and DATASHEET prose)
    timings: dict[str, float] = field(
        default_factory=dict
    )  # seconds per stage (never written to the release)
    checks: list[Check] | None = None  # record and integrity checks the workers already ran (merged)
    ran_on: str = ""  # where the per-document stage ran (for the build log; never written to the release)
    warnings: list[str] = field(default_factory=list)  # for the build log (sites without a profile...)
    # figures computed once from the tables and kept (release.stats); never written to the release as such
    derived: dict[str, Any] = field(default_factory=dict, repr=False)
    # files shipped as they were read, under docs/ (release path -> bytes): the schemas, guidelines, codebook and
    # the agreement data the DATASHEET reports; rehydrate reads them back from the release
    docs: dict[str, bytes] = field(default_factory=dict, repr=False)
    workers: int = 1  # processes the release writers may use (the build's --workers; never in the release)
