"""Cleaning rules: declared data (corpus/rules.yaml) compiled into detectors that claim raw spans.

Every pattern that comes from declared data (the rules' ``pattern``, ``end_pattern``, ``extract`` and ``probe``,
and the regexes of corpus/profiles.yaml) is compiled here with RE2 (``compile_declared``), whose matching time is
linear in the text: a pattern such as ``^(a+)+$`` cannot hang a build. A pattern RE2 cannot run (lookarounds,
backreferences, Python-only escapes such as ``\\Z`` or ``\\u00a0``) is refused when the corpus is loaded.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import re2

from irbc.core.errors import InputError
from irbc.core.records import Edit

HSPACE = r"[ \t\r\x{a0}]*"  # RE2 syntax: \x{a0} is the no-break space

_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # the error goes into the one-line InputError, not to stderr

# what Python's engine has and RE2 does not (RE2's message ends with the construct), and what to write instead
_HINTS = (
    ("(?=", "RE2 has no lookahead: match the context too and name the claimed part with `claim`"),
    ("(?!", "RE2 has no negative lookahead"),
    ("(?<", "RE2 has no lookbehind: match the context too and name the claimed part with `claim`"),
    ("(?P", "RE2 has no backreferences such as (?P=name)"),
    ("\\Z", "write \\z for the end of the text"),
    ("\\u", "write \\x{hhhh} for a code point"),
)


@lru_cache(maxsize=4096)
def compile_declared(pattern: str, flags: str = "") -> Any:
    """A declared pattern compiled with RE2 (``flags``: inline flags such as "m" or "i"). Raises ValueError
    with RE2's reason (and a hint for the usual Python-only constructs) if RE2 cannot run it."""
    try:
        return re2.compile(f"(?{flags}){pattern}" if flags else pattern, _RE2_OPTIONS)
    except re2.error as exc:
        msg = exc.args[0].decode("utf-8", "replace") if isinstance(exc.args[0], bytes) else str(exc)
        tail = msg.rsplit(": ", 1)[-1]
        hint = next((h for key, h in _HINTS if tail.startswith(key)), None)
        if tail[:1] == "\\" and tail[1:2].isdigit():
            hint = "RE2 has no backreferences"
        reason = f"pattern {pattern!r} cannot be run by RE2 (the linear-time regex engine): {msg}"
        raise ValueError(f"{reason}; {hint}" if hint else reason) from None


# longer texts are searched pattern by pattern (an RE2 Set has no fallback if its DFA fills up)
SET_MAX_TEXT = 10_000


@lru_cache(maxsize=256)
def first_match(patterns: tuple[str, ...], flags: str = "") -> Callable[[str], int | None]:
    """``f(text)``: the index of the first of ``patterns`` found in ``text`` (searched), or None. The patterns
    run in one pass (an RE2 Set): a list of heading kinds costs one call per heading, not one per kind."""
    compiled = [compile_declared(p, flags) for p in patterns]  # the same errors as one by one
    if not patterns:
        return lambda text: None
    rset = re2.Set.SearchSet(_RE2_OPTIONS)
    for p in patterns:
        rset.Add(f"(?{flags}){p}" if flags else p)
    rset.Compile()

    def first(text: str) -> int | None:
        if len(text) > SET_MAX_TEXT:
            return next((i for i, rx in enumerate(compiled) if rx.search(text)), None)
        hits = rset.Match(text)
        return min(hits) if hits else None

    return first


@lru_cache(maxsize=256)
def start_matcher(pattern: str) -> Callable[[str], Any]:
    """``f(text)``: the declared pattern matched at the start of ``text`` (RE2), or None. Texts whose first
    character no match can begin with (RE2's PossibleMatchRange) are answered without calling RE2, whose per-call
    cost dominates on the short block texts this runs on."""
    rx = compile_declared(pattern)
    try:
        lo, hi = rx.possiblematchrange(1)
    except re2.error:
        lo = hi = b""
    if not lo or not hi:  # the pattern may match the empty string, or no bound is known: no prefilter
        return rx.match
    first_lo, first_hi = lo[0], hi[0]  # every match starts with a UTF-8 byte in [first_lo, first_hi]

    def match(text: str) -> Any:
        if not text or not first_lo <= text[0].encode()[0] <= first_hi:
            return None
        return rx.match(text)

    return match


def _python_probe(probe: str) -> None:
    """Probes also run in the validation gate's great-expectations suites (Python's engine): they must compile
    there too."""
    try:
        re.compile(f"(?m){probe}")
    except re.error as exc:
        raise ValueError(f"probe {probe!r} is not a valid Python regex: {exc}") from None


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
    regex: Any  # RE2 patterns (compile_declared)
    end_regex: Any
    extract: tuple[Any, ...]
    split: dict[str, str]
    block_kind: str | None
    min_lines: int
    probe: str | None
    claim: str | None = None  # span detector: the group that is claimed (the rest of the match is context)

    def applies(self, doc_id: str, site: str, profile: str | None = None) -> bool:
        """Whether the rule runs on a source. ``profile`` is the structure profile the source uses: a rule for
        the site ``generic`` applies to every source whose site has no profile (it uses ``generic``)."""
        return (
            self.applies_to_all
            or site in self.sites
            or doc_id in self.doc_ids
            or (profile is not None and profile in self.sites)
        )


def _compile_rule(r: dict[str, Any]) -> tuple[Any, Any, tuple[Any, ...]]:
    """(regex, end_regex, extract) of one rule, compiled with RE2; ValueError names what RE2 refused."""
    det = r["detector"]
    pat = r.get("pattern")
    regex = None
    if det == "line":
        regex = compile_declared(f"^(?:{pat}){HSPACE}$\n?", "m")
    elif det == "span":
        regex = compile_declared(pat, "m")
    elif det == "region":
        regex = compile_declared(f"^(?:{pat}){HSPACE}$", "m")
    end_regex = compile_declared(f"^(?:{r['end_pattern']})", "m") if r.get("end_pattern") else None
    extract = tuple(compile_declared(p, "m") for p in r.get("extract", []))
    claim = r.get("claim")
    if claim is not None and (regex is None or det != "span" or claim not in regex.groupindex):
        raise ValueError(f"claim {claim!r} must name a group of the pattern of a span rule")
    if r.get("probe"):
        compile_declared(r["probe"], "m")
        _python_probe(r["probe"])
    return regex, end_regex, extract


def compile_rules(data: dict[str, Any], file: str = "rules.yaml") -> list[Rule]:
    """Compile the validated rules file. Patterns are compiled once here, with RE2; a pattern RE2 cannot run
    is refused with an InputError naming the rule."""
    rules = []
    for r in data["rules"]:
        try:
            regex, end_regex, extract = _compile_rule(r)
        except ValueError as exc:
            raise InputError(file, f"rule {r['id']}", str(exc)) from None
        det = r["detector"]
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
                extract=extract,
                split=dict(r.get("split", {})),
                block_kind=r.get("block_kind"),
                min_lines=int(r.get("min_lines", 3)),
                probe=r.get("probe"),
                claim=r.get("claim"),
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


def _repeats(keys: list[int], i: int, k: int) -> bool:
    """``keys[i:i+k] == keys[i+k:i+2k]``, compared in pieces of doubling length from the start, so a run that
    differs early costs little (line ``i`` recurring every other line made each comparison copy k lines)."""
    j, step = 0, 1
    while j < k:
        m = min(step, k - j)
        if keys[i + j : i + j + m] != keys[i + k + j : i + k + j + m]:
            return False
        j, step = j + m, 2 * step
    return True


def _longest_copy(keys: list[int], at: dict[int, list[int]], i: int, min_lines: int) -> int:
    """The longest k >= min_lines with ``keys[i:i+k] == keys[i+k:i+2k]``, or 0. The copy at i + k repeats each
    of the run's first min_lines lines, line i + r at i + k + r: candidates are looked up through the rarest of
    them (a line recurring every other line would give one per recurrence), longest first."""
    r = min(range(min_lines), key=lambda r: len(at[keys[i + r]]))
    same = at[keys[i + r]]
    top = i + (len(keys) - i) // 2  # the copy of a run of k lines from i starts at i + k <= top
    lo, hi = bisect.bisect_left(same, i + min_lines + r), bisect.bisect_right(same, top + r)
    for q in reversed(same[lo:hi]):
        k = q - r - i
        if keys[i + k] == keys[i] and _repeats(keys, i, k):
            return k
    return 0


def _duplicate_block_spans(raw: str, min_lines: int) -> list[tuple[int, int]]:
    """Spans of a run of >= min_lines non-blank lines repeated immediately after itself (second copy).

    From each line on, the longest such run starting there wins and the scan goes on after its copy. Only the
    run lengths ``k`` where line ``i + k`` equals line ``i`` can repeat, so those are the only ones compared
    (longest first), each from its start until it differs (``_repeats``): on text whose lines are mostly
    distinct that is almost no comparison, and the scan is linear in the lines instead of cubic (2,000 distinct
    lines took 15 s), and a line recurring every other line adds no candidates (``_longest_copy``).
    ``tests/test_fast_paths.py`` keeps the first-written loop as the spec."""
    lines = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\n?", raw) if m.group().strip()]
    ids: dict[str, int] = {}
    keys = [ids.setdefault(raw[s:e].strip(), len(ids)) for s, e in lines]
    at: dict[int, list[int]] = {}  # each distinct line -> where it occurs, in order
    for k, key in enumerate(keys):
        at.setdefault(key, []).append(k)
    spans = []
    i, n = 0, len(keys)
    while i + 2 * min_lines <= n:  # else no run of min_lines lines from i has room for its copy
        k = _longest_copy(keys, at, i, min_lines) if len(at[keys[i]]) > 1 else 0
        if k:
            spans.append((lines[i + k][0], lines[i + 2 * k - 1][1]))
            i += 2 * k
        else:
            i += 1
    return spans


Match = tuple[int, int, dict[str, str | None] | None]  # claimed (start, end) and the named groups


def _claimed(rule: Rule, raw: str) -> list[Match]:
    """Matches of a span rule with a ``claim`` group: only that group is claimed, and the next match is
    searched from its end (the context after it may be matched again, as a lookahead's would)."""
    out: list[Match] = []
    claim = rule.regex.groupindex[rule.claim]
    pos = 0
    while pos <= len(raw):
        m = rule.regex.search(raw, pos)
        if m is None:
            break
        s, e = m.span(claim)
        if e > s:
            groups = m.groupdict() if rule.action == "metadata" else None
            out.append((s, e, groups and {k: v for k, v in groups.items() if k != rule.claim}))
        pos = e if e > pos else pos + 1
    return out


def _matches(rule: Rule, raw: str) -> list[Match]:
    if rule.detector == "duplicate_block":
        return [(s, e, None) for s, e in _duplicate_block_spans(raw, rule.min_lines)]
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
        return [(m.start(), end, None)]  # a region's metadata comes from `extract`
    if rule.claim is not None:
        return _claimed(rule, raw)
    meta = rule.action == "metadata"  # only metadata rules read the named groups (RE2's groupdict is slow)
    return [
        (m.start(), m.end(), m.groupdict() if meta else None)
        for m in rule.regex.finditer(raw)
        if m.end() > m.start()
    ]


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
        for start, end, groups in _matches(rule, raw):
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
            if groups:
                found.update({k: v for k, v in groups.items() if v is not None})
            region = raw[start:end]
            for ex in rule.extract:
                em = ex.search(region)
                if em:
                    found.update({k: v for k, v in em.groupdict().items() if v is not None})
            for key, value in found.items():
                metadata.setdefault(key, (_split(value, rule.split.get(key)), rule.id))
    edits.sort(key=lambda e: e.raw_start)
    return edits, metadata, marks
