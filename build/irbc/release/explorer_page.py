"""The shell every explorer page shares: the HTML head (the folder's own stylesheet and scripts, nothing from the
network), escaping, and the facet legend (each facet has its own underline pattern and a letter, so colour is
never the only signal)."""

from __future__ import annotations

import html
from importlib import resources
from typing import Any

ASSETS = ("explorer.css", "explorer.js")  # package data in explorer_assets/, copied into explorer/
DATA_SCRIPTS = ("codebook.js", "search.js")  # written by the exporter beside the pages


def esc(value: Any) -> str:
    return esc_str("" if value is None else str(value))


def esc_str(s: str) -> str:
    """``html.escape(s, quote=True)``, without its five replacements where there is nothing to replace."""
    if "&" in s or "<" in s or ">" in s or '"' in s or "'" in s:
        return html.escape(s, quote=True)
    return s


def esc_text(s: str) -> str:
    """``html.escape(s, quote=False)`` (text content), likewise."""
    if "&" in s or "<" in s or ">" in s:
        return html.escape(s, quote=False)
    return s


def asset(name: str) -> bytes:
    return resources.files("irbc.release").joinpath("explorer_assets", name).read_bytes()


def page(title: str, body: str, layer: str = "", data: tuple[str, ...] = DATA_SCRIPTS[:1]) -> str:
    scripts = "".join(f'<script src="{s}"></script>' for s in (*data, ASSETS[1]))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{esc(title)}</title><link rel="stylesheet" href="{ASSETS[0]}"></head>\n'
        f'<body data-layer="{esc(layer)}"><a class="skip" href="#text">Skip to the text</a>\n'
        f"{body}\n{scripts}</body></html>\n"
    )


def legend(facets: list[str]) -> str:
    """The facet key: the same pattern class and letter the mentions carry."""
    items = "".join(
        f'<li><span class="m m-demo" data-facet="{esc(f)}" data-fx="{i}">{esc(f)}</span></li>'
        for i, f in enumerate(facets)
    )
    return (
        '<div class="legend"><h2>Facets</h2><p>Each facet has its own underline pattern (solid, dashed, dotted, double) and tint; '
        "hover or focus a mention for its concept and definition.</p>"
        f'<ul class="facets">{items}</ul><p><mark class="ev ev-demo">stance evidence</mark> '
        '<a class="callout" href="#text" aria-label="callout example">[n]</a> callout to a note</p></div>'
    )
