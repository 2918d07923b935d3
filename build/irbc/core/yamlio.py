"""YAML/JSON loading that keeps line numbers, so errors can point at the line of a bad entry."""

from __future__ import annotations

import json
from collections.abc import Hashable
from pathlib import Path
from types import GeneratorType
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


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{t}" for t in ("str", "seq", "map"))


class _NotPlain(Exception):
    """A node the direct construction leaves to PyYAML's constructor."""


def _plain(loader: Any, node: yaml.Node, lines: bool, seen: set[int]) -> Any:
    """The Python value of a composed node tree of scalars, lists and dicts, built directly: what PyYAML's
    SafeConstructor builds (a string scalar is its value, another scalar is built by the loader's constructor
    for its tag; a mapping's keys and values in order, a repeated key keeping its first place and its last
    value; with ``lines``, LINE_KEY added last)."""
    if id(node) in seen:
        raise _NotPlain  # an alias: PyYAML's constructor reports it
    seen.add(id(node))
    cls, tag = node.__class__, node.tag
    if cls is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        make = loader.yaml_constructors.get(tag)
        if make is None:  # a custom tag, or the merge (<<) and value (=) keys that flatten_mapping rewrites
            raise _NotPlain
        value = make(loader, node)
        if isinstance(value, GeneratorType):
            raise _NotPlain
        return value
    if cls is yaml.SequenceNode and tag == _SEQ:
        return [_plain(loader, x, lines, seen) for x in node.value]
    if cls is yaml.MappingNode and tag == _MAP:
        out = {}
        for k, v in node.value:
            if k.__class__ is not yaml.ScalarNode:
                raise _NotPlain  # a collection as a key
            key = _plain(loader, k, lines, seen)
            if not isinstance(key, Hashable):
                raise _NotPlain
            out[key] = _plain(loader, v, lines, seen)
        if lines:
            out[LINE_KEY] = node.start_mark.line + 1
        return out
    raise _NotPlain


def _direct(loader_class: Any, text: str | bytes, lines: bool) -> Any:
    """``yaml.load(text, Loader=loader_class)``: libyaml composes the nodes, and a tree of scalars, lists and
    dicts (every input file of the project) is then built directly, about twice as fast as PyYAML's constructor
    (issue 18: the curated stance files, the sources manifest). Anything else, an alias or an error goes
    through the constructor itself, which gives the value or raises the error it always did."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            return _plain(loader, node, lines, set())
    except (_NotPlain, yaml.YAMLError):
        pass
    finally:
        loader.dispose()
    return yaml.load(text, Loader=loader_class)


def _load(text: str, keep_lines: bool) -> Any:
    """The project's input loaders: no aliases, and with ``keep_lines`` a LINE_KEY in every mapping."""
    return _direct(_LineLoader if keep_lines else _NoAliasLoader, text, keep_lines)


def safe_load(text: str | bytes) -> Any:
    """``yaml.load(text, Loader=CSafeLoader)`` (aliases allowed, no line keys), for a file of a release read
    back (its shipped sources manifest)."""
    return _direct(_Base, text, False)


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
        data = _load(text, keep_lines)
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
