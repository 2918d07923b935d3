"""YAML/JSON loading that keeps line numbers, so errors can point at the line of a bad entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from irbc.core.errors import InputError

LINE_KEY = "__line__"


# libyaml's C loader when available (an order of magnitude faster); it reports the same line marks.
_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _AliasFound(Exception):
    def __init__(self, mark: Any) -> None:
        self.mark = mark


class _NoAliasLoader(_Base):  # type: ignore[misc, valid-type]
    """Refuses YAML aliases: no input file of this project needs one, and nested aliases expand exponentially
    in anything that walks the document (a 3 KB file can stand for gigabytes). An alias is the same node
    constructed a second time, which is caught before any of it is built."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _AliasFound(node.start_mark)
        return super().construct_object(node, deep)


class _LineLoader(_NoAliasLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_data(path: Path, *, keep_lines: bool = False) -> Any:
    """Load a YAML or JSON file; a syntax error becomes an InputError naming the file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(str(path), None, "file not found") from exc
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"byte {exc.start}", "not valid UTF-8") from exc
    if Path(path).suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from exc
    try:
        data = yaml.load(text, Loader=_LineLoader if keep_lines else _NoAliasLoader)
    except _AliasFound as exc:
        raise InputError(
            str(path),
            f"line {exc.mark.line + 1}",
            "YAML anchors and aliases (&name, *name) are not allowed in input files: the node here is reused",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}" if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(str(path), place, f"invalid YAML: {problem}") from exc
    return data


def strip_lines(obj: Any) -> Any:
    """Drop the line-number keys added by ``load_data(keep_lines=True)``."""
    if isinstance(obj, dict):
        return {k: strip_lines(v) for k, v in obj.items() if k != LINE_KEY}
    if isinstance(obj, list):
        return [strip_lines(v) for v in obj]
    return obj
