"""Minimal textual edits of a curated review file (``corpus/annotations/mentions/<doc_id>.yaml``): a decision's
``decision:`` and ``relabel:`` lines, an addition's ``concept:`` line, an addition removed or appended. Every
other byte of the file (comments, quoting, order, line breaks) stays as the curator wrote it, so an import with
no corrections changes nothing and one with corrections changes only their lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from irbc.core.errors import InputError

_TOP_KEY = re.compile(r"^[^\s#-][^:]*:")


@dataclass
class Edits:
    """What to change in one review file; items are numbered as in its ``decisions`` / ``additions`` lists."""

    decisions: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # i -> (decision, relabel)
    addition_concepts: dict[int, str] = field(default_factory=dict)
    removed_additions: set[int] = field(default_factory=set)
    new_additions: list[dict[str, Any]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.decisions or self.addition_concepts or self.removed_additions or self.new_additions)


def _blocks(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Top-level key -> (index of its line, index where its block ends)."""
    keys = [(i, line.split(":", 1)[0]) for i, line in enumerate(lines) if _TOP_KEY.match(line)]
    return {k: (i, keys[j + 1][0] if j + 1 < len(keys) else len(lines)) for j, (i, k) in enumerate(keys)}


def _ranges(items: list[dict[str, Any]], end: int, line_key: str) -> list[tuple[int, int]]:
    """The line index range of each list item: from its own line to the next item's (or the block end), less
    trailing blank and comment lines (those belong to what follows)."""
    starts = [int(it[line_key]) - 1 for it in items]
    out = []
    for j, a in enumerate(starts):
        out.append((a, starts[j + 1] if j + 1 < len(starts) else end))
    return out


def _trim(lines: list[str], a: int, b: int) -> int:
    while b > a + 1 and (not lines[b - 1].strip() or lines[b - 1].lstrip().startswith("#")):
        b -= 1
    return b


def _key_lines(item: list[str], key: str) -> list[tuple[int, str]]:
    """The lines of a list item that hold its own ``key:`` (never a line of a nested or block value): the first
    line after its ``- ``, or a later line at the item's key indentation. Each with the prefix before the key."""
    m = re.match(r"^(\s*-\s+)", item[0])
    width = len(m[1]) if m else 0
    out = []
    for k, line in enumerate(item):
        prefix = line[:width] if k == 0 else " " * width
        if line.startswith(prefix) and re.match(rf"{re.escape(key)}:(\s|$)", line[width:]):
            out.append((k, prefix))
    return out


def _set_decision(
    lines: list[str], a: int, b: int, decision: str, relabel: str | None, file: str
) -> list[str]:
    item = lines[a:b]
    found = _key_lines(item, "decision")
    if len(found) != 1:
        raise InputError(file, f"line {a + 1}", "cannot edit this decision: no `decision:` line of its own")
    at, prefix = found[0]
    drop = {k for k, _ in _key_lines(item, "relabel")}
    new = [f"{prefix}decision: {decision}\n"] + (
        [f"{' ' * len(prefix)}relabel: {relabel}\n"] if relabel else []
    )
    return (
        [line for k, line in enumerate(item[:at]) if k not in drop]
        + new
        + [line for k, line in enumerate(item[at + 1 :], at + 1) if k not in drop]
    )


def _set_concept(lines: list[str], a: int, b: int, concept: str, file: str) -> list[str]:
    item = lines[a:b]
    found = _key_lines(item, "concept")
    if len(found) != 1:
        raise InputError(file, f"line {a + 1}", "cannot edit this addition: no `concept:` line of its own")
    at, prefix = found[0]
    return [*item[:at], f"{prefix}concept: {concept}\n", *item[at + 1 :]]


def _new_items(items: list[dict[str, Any]], indent: str) -> list[str]:
    text = yaml.safe_dump(items, sort_keys=False, allow_unicode=True, width=1000)
    return [indent + line for line in text.splitlines(keepends=True)]


def apply_edits(text: str, review: dict[str, Any], edits: Edits, file: str, line_key: str) -> str:
    """``text`` (the file ``review`` was loaded from, with line numbers under ``line_key``) with ``edits``."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    blocks = _blocks(lines)
    if "decisions" not in blocks or "additions" not in blocks:
        raise InputError(file, None, "cannot edit: `decisions:` and `additions:` must be top-level keys")
    dec = _ranges(review["decisions"], blocks["decisions"][1], line_key)
    add = _ranges(review["additions"], blocks["additions"][1], line_key)
    ops: list[tuple[int, int, list[str]]] = []  # replace lines[a:b] by the list, applied bottom-up
    for i, (decision, relabel) in edits.decisions.items():
        a, b = dec[i]
        b = _trim(lines, a, b)
        ops.append((a, b, _set_decision(lines, a, b, decision, relabel, file)))
    for i, concept in edits.addition_concepts.items():
        a, b = add[i]
        b = _trim(lines, a, b)
        ops.append((a, b, _set_concept(lines, a, b, concept, file)))
    for i in edits.removed_additions:
        a, b = add[i]
        ops.append((a, _trim(lines, a, b), []))
    key_at, end = blocks["additions"]
    n_left = len(review["additions"]) - len(edits.removed_additions) + len(edits.new_additions)
    if edits.new_additions:
        first = lines[add[0][0]] if add else lines[dec[0][0]] if dec else "- "  # the file's list style
        indent = first[: len(first) - len(first.lstrip(" "))]
        at = _trim(lines, key_at, end) if add else key_at + 1
        ops.append((at, at, _new_items(edits.new_additions, indent)))
    if n_left == 0 and review["additions"]:
        ops.append((key_at, key_at + 1, ["additions: []\n"]))
    elif n_left and not review["additions"]:
        ops.append((key_at, key_at + 1, ["additions:\n"]))
    for a, b, new in sorted(ops, key=lambda o: (o[0], o[1]), reverse=True):
        lines[a:b] = new
    return "".join(lines)
