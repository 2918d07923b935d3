"""Markdown pieces shared by the dataset card and the DATASHEET, and the template renderer they use."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from irbc.core.arrow import field_table

TEMPLATES = Path(__file__).resolve().parent / "templates"
_BLOCK = re.compile(r"\{(\w+)\[(\w+)\]\}")


def md_table(head: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        out.append("| " + " | ".join(str(x).replace("|", "\\|").replace("\n", " ") for x in r) + " |")
    return "\n".join(out)


def md_text(text: str) -> str:
    """Plain text for a Markdown paragraph or table cell: ``<`` and ``>`` escaped, so that a description such as
    ``Stable id: <doc_id>-s<position>`` is not read as an HTML tag (``|`` is escaped by ``md_table``)."""
    return text.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>")


def pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def fields_table(table: str) -> str:
    """A table's fields for the card and the DATASHEET: types in code spans (``list<item: string>`` is not
    HTML), descriptions escaped."""
    rows = [
        [f"`{n}`", f"`{typ}`", "yes" if nullable else "no", md_text(desc)]
        for n, typ, desc, nullable in field_table(table)
    ]
    return md_table(["field", "type", "nullable", "description"], rows)


@cache
def template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def render(name: str, values: dict[str, Any], blocks: dict[str, dict[str, str]]) -> str:
    """Fill ``templates/<name>``: ``{key}`` from ``values``; ``{group[key]}`` from the corpus description's
    ``blocks`` (their own ``{key}`` placeholders filled from ``values`` first). A block placed in a Markdown list
    item gets its continuation lines indented to the item's text."""
    text = template(name)
    indent: dict[tuple[str, str], str] = {}
    for line in text.splitlines():
        for m in _BLOCK.finditer(line):
            indent[(m.group(1), m.group(2))] = "  " if line.startswith(("- ", "  ")) else ""
    filled = {
        group: {
            k: v.format(**values).replace("\n", "\n" + indent.get((group, k), ""))
            for k, v in items.items()
            if isinstance(
                v, str
            )  # null answers (card.paper, card.demo) are rendered by the code that reads them
        }
        for group, items in blocks.items()
    }
    return text.format(**values, **filled)


def source_fields_markdown() -> str:
    """The fields of a sources.yaml entry, from schema/sources_manifest.schema.json (the README's section on
    adding texts shows this list; tests/test_docs.py keeps it in sync)."""
    from irbc.core.schema import load_schema

    item = load_schema("sources_manifest")["properties"]["sources"]["items"]
    lines = []
    for name, prop in item["properties"].items():
        need = "required" if name in item["required"] else "optional"
        kind = " | ".join(f"`{v}`" for v in prop["enum"]) if "enum" in prop else None
        null = " (may be `null`)" if "null" in (prop.get("type") or []) else ""
        lines.append(f"- `{name}` ({need}{', one of ' + kind if kind else ''}){null}: {prop['description']}")
    return "\n".join(lines)
