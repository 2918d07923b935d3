"""What the gate reports: one ``Check`` per named check (kind, table, counts, examples), and the ``Report``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from irbc.core.errors import ValidationFailed

MAX_EXAMPLES = 5
# checks only `irbc validate` runs (they need the release's own files); every other kind is a content check,
# as the build ran it and counted it in the release's validation_report.json
RELEASE_FILE_KINDS = ("manifest", "parquet_schema", "view")


@dataclass
class Check:
    name: str
    table: str
    kind: str  # jsonschema | great_expectations | integrity | manifest | parquet_schema
    passed: bool
    checked: int = 0
    failed: int = 0
    examples: list[str] = field(default_factory=list)

    def line(self) -> str:
        ex = "; ".join(self.examples[:3])
        return f"[{self.kind}] {self.table}: {self.name} — {self.failed} failing" + (
            f" (e.g. {ex})" if ex else ""
        )


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    @property
    def n_checks(self) -> int:
        return len(self.checks)

    def counts(self) -> dict[str, int]:
        """Checks in all, failed, content checks (what the build's validation_report.json counts) and
        release-file checks (manifest, links, derived views, Parquet schemas: only on a release folder)."""
        files = sum(1 for c in self.checks if c.kind in RELEASE_FILE_KINDS)
        return {
            "checks": self.n_checks,
            "failed": len(self.failures),
            "content": self.n_checks - files,
            "release_files": files,
        }

    def count_line(self) -> str:
        """'M checks, F failed (N content checks, as run by the build, + K release-file checks)'."""
        n = self.counts()
        return (
            f"{n['checks']} checks, {n['failed']} failed ({n['content']} content checks, as run by the build, "
            f"+ {n['release_files']} release-file checks)"
        )

    def failure(self) -> ValidationFailed:
        return ValidationFailed([c.line() for c in self.failures])

    def to_json(self) -> dict[str, Any]:
        by_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"checks": 0, "failed": 0})
        for c in self.checks:
            by_kind[c.kind]["checks"] += 1
            by_kind[c.kind]["failed"] += 0 if c.passed else 1
        return {
            "passed": self.passed,
            "n_checks": self.n_checks,
            "n_failed": len(self.failures),
            "by_kind": dict(sorted(by_kind.items())),
            "checks": [asdict(c) for c in self.checks],
        }


def merge_checks(parts: list[list[Check]]) -> list[Check]:
    """Merge the checks that ran on separate slices of the documents (worker chunks) into one check each:
    counts add up, a check passes only if it passed everywhere, examples are kept up to MAX_EXAMPLES."""
    merged: dict[tuple[str, str, str], Check] = {}
    for checks in parts:
        for c in checks:
            m = merged.get((c.kind, c.table, c.name))
            if m is None:
                merged[(c.kind, c.table, c.name)] = Check(
                    c.name, c.table, c.kind, c.passed, c.checked, c.failed, list(c.examples)
                )
                continue
            m.passed = m.passed and c.passed
            m.checked += c.checked
            m.failed += c.failed
            m.examples = (m.examples + c.examples)[:MAX_EXAMPLES]
    return list(merged.values())


def guarded(name: str, run: Any, so_far: list[Check]) -> list[Check]:
    """Run ``run()``; a crash on malformed records becomes one failing check (never on well-formed ones)."""
    try:
        out: list[Check] = run()
        return out
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if all(c.passed for c in so_far):
            raise  # well-formed records must never crash a check
        return [
            Check(
                f"{name} checks could not run on malformed records ({exc!r})",
                "release",
                name,
                False,
                0,
                1,
                [repr(exc)[:200]],
            )
        ]
