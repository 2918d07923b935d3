"""Cleaning rules: declared data (corpus/rules.yaml) compiled into detectors that claim raw spans."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

from irbc.core.records import Edit

HSPACE = r"[ \t\r\u00a0]*"


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str
    category: str
    action: str
    detector: str
    sites: frozenset[str]
    doc_ids: frozenset[str]
    applies_to_all: bool
    regex: re.Pattern[str] | None
    end_regex: re.Pattern[str] | None
    extract: tuple[re.Pattern[str], ...]
    split: dict[str, str]
    block_kind: str | None
    min_lines: int
    probe: str | None

    def applies(self, doc_id: str, site: str) -> bool:
        return self.applies_to_all or site in self.sites or doc_id in self.doc_ids


def compile_rules(data: dict[str, Any]) -> list[Rule]:
    """Compile the validated rules file. Patterns are compiled once here."""
    rules = []
    for r in data["rules"]:
        det = r["detector"]
        pat = r.get("pattern")
        regex = None
        if det == "line":
            regex = re.compile(rf"^(?:{pat}){HSPACE}$\n?", re.M)
        elif det == "span":
            regex = re.compile(pat, re.M)
        elif det == "region":
            regex = re.compile(rf"^(?:{pat}){HSPACE}$", re.M)
        end_regex = re.compile(rf"^(?:{r['end_pattern']})", re.M) if r.get("end_pattern") else None
        applies = r.get("applies_to", {})
        rules.append(
            Rule(
                id=r["id"],
                reason=r["reason"],
                category=r["category"],
                action=r["action"],
                detector=det,
                sites=frozenset(applies.get("sites", [])),
                doc_ids=frozenset(applies.get("doc_ids", [])),
                applies_to_all=bool(applies.get("all", False)),
                regex=regex,
                end_regex=end_regex,
                extract=tuple(re.compile(p, re.M) for p in r.get("extract", [])),
                split=dict(r.get("split", {})),
                block_kind=r.get("block_kind"),
                min_lines=int(r.get("min_lines", 3)),
                probe=r.get("probe"),
            )
        )
    return rules


class Claims:
    """Non-overlapping claimed raw intervals; later claims only get what is still free."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def free_parts(self, start: int, end: int) -> list[tuple[int, int]]:
        parts = []
        i = bisect.bisect_right(self.ends, start)
        pos = start
        while i < len(self.starts) and self.starts[i] < end:
            if self.starts[i] > pos:
                parts.append((pos, self.starts[i]))
            pos = max(pos, self.ends[i])
            i += 1
        if pos < end:
            parts.append((pos, end))
        return parts

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _duplicate_block_spans(raw: str, min_lines: int) -> list[tuple[int, int]]:
    """Spans of a run of >= min_lines non-blank lines repeated immediately after itself (second copy)."""
    lines = [
        (m.start(), m.end(), m.group().strip()) for m in re.finditer(r"[^\n]*\n?", raw) if m.group().strip()
    ]
    spans = []
    i = 0
    n = len(lines)
    while i < n:
        found = False
        for k in range((n - i) // 2, min_lines - 1, -1):
            if [t for _, _, t in lines[i : i + k]] == [t for _, _, t in lines[i + k : i + 2 * k]]:
                spans.append((lines[i + k][0], lines[i + 2 * k - 1][1]))
                i += 2 * k
                found = True
                break
        if not found:
            i += 1
    return spans


def _matches(rule: Rule, raw: str) -> list[re.Match[str] | tuple[int, int]]:
    if rule.detector == "duplicate_block":
        return list(_duplicate_block_spans(raw, rule.min_lines))
    assert rule.regex is not None
    if rule.detector == "region":
        m = rule.regex.search(raw)
        if not m:
            return []
        end = len(raw)
        if rule.end_regex is not None:
            e = rule.end_regex.search(raw, m.end())
            if e:
                end = e.start()
        return [(m.start(), end)]
    return [m for m in rule.regex.finditer(raw) if m.end() > m.start()]


def _split(value: str, sep: str | None) -> Any:
    if sep is None:
        return value.strip()
    return [v.strip() for v in value.split(sep) if v.strip()]


def apply_rules(
    raw: str, rules: list[Rule], claims: Claims
) -> tuple[list[Edit], dict[str, Any], list[tuple[int, str]]]:
    """Run the rules over ``raw``. Returns audit edits, extracted metadata (field -> (value, rule id)) and
    block marks (raw offset, block kind)."""
    edits: list[Edit] = []
    metadata: dict[str, Any] = {}
    marks: list[tuple[int, str]] = []
    for rule in rules:
        for m in _matches(rule, raw):
            start, end = (m.start(), m.end()) if isinstance(m, re.Match) else m
            parts = claims.free_parts(start, end)
            if not parts:
                continue
            for s, e in parts:
                claims.add(s, e)
                edits.append(Edit(s, e, "", rule.id, rule.action))
            if rule.block_kind:
                marks.append((start, rule.block_kind))
            if rule.action != "metadata":
                continue
            found: dict[str, str] = {}
            if isinstance(m, re.Match):
                found.update({k: v for k, v in m.groupdict().items() if v is not None})
            region = raw[start:end]
            for ex in rule.extract:
                em = ex.search(region)
                if em:
                    found.update({k: v for k, v in em.groupdict().items() if v is not None})
            for key, value in found.items():
                metadata.setdefault(key, (_split(value, rule.split.get(key)), rule.id))
    edits.sort(key=lambda e: e.raw_start)
    return edits, metadata, marks
