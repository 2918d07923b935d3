"""The annotator registry (after dolma's tagger registry): every annotator registers under its versioned name
and the table its rows go to; the annotate stage runs them in registration order. Adding an annotator is one
new module in this package with a ``@register`` class (a versioned ``name``, its ``table``, a one-line
``description`` and whether it is ``automatic``), plus its import in ``annotators/__init__.py``.

An annotator is built once per build (``__init__`` receives the shared ``AnnotatorEnv``), shipped to the
workers, and called once per document. It returns ``None`` when it has nothing to say about a document (for
example a curated layer without a file for it), or an ``Annotation``: its rows, each carrying ``annotator``
set to its name, and the SHA-256 of every input file it read (recorded in the build's provenance)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from irbc.annotators.anchoring import Units
from irbc.annotators.codebook import Codebook


@dataclass(frozen=True)
class AnnotatorEnv:
    """What every annotator may use, loaded once per build."""

    codebook: Codebook
    codebook_file: str
    target_ids: list[str]
    ann_dir: Path  # corpus/annotations/


@dataclass(frozen=True)
class DocInput:
    """One document as annotators see it: its id, clean text, and paragraphs and notes in text order.
    ``memo`` is this document's scratch space: work two annotators derive from the same input (a review file
    both the curated layer and its provenance table read) is done once, by ``DocInput.once``."""

    doc_id: str
    text: str
    units: Units
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` the first time ``key`` is asked for on this document, the same object after."""
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]


@dataclass
class Annotation:
    rows: list[dict[str, Any]]
    inputs: dict[str, str] = field(default_factory=dict)  # corpus-relative path -> SHA-256


class Annotator:
    name: ClassVar[str]  # versioned, written on every row: lexicon_v1, curated_v1
    table: ClassVar[str]  # the release table the rows go to
    description: ClassVar[str]  # one line for the dataset card's table of annotation layers
    automatic: ClassVar[bool] = False  # made by a program (True) or by people (False)
    gold: ClassVar[bool] = False  # a reviewed layer: the automatic layer is scored against it
    needs: ClassVar[tuple[str, ...]] = ()  # keys of the annotators whose rows it reads (they run first)
    folder: ClassVar[str | None] = None  # its files, one per document: annotations/<folder>/<doc_id>.yaml

    def __init__(self, env: AnnotatorEnv) -> None:
        self.env = env

    def file_for(self, doc_id: str) -> Path:
        """The annotator's file for one document (with a ``folder``)."""
        return self.env.ann_dir / str(self.folder) / f"{doc_id}.yaml"

    @classmethod
    def key(cls) -> str:
        return f"{cls.table}/{cls.name}"

    def annotate(self, doc: DocInput, earlier: dict[str, list[dict[str, Any]]]) -> Annotation | None:
        """``earlier``: the rows of the annotators that ran before on this document, by ``key()``."""
        raise NotImplementedError


_REGISTRY: dict[str, type[Annotator]] = {}


def register(cls: type[Annotator]) -> type[Annotator]:
    desc = getattr(cls, "description", "")
    if not desc.strip() or "\n" in desc:
        raise ValueError(f"annotator {cls.key()} needs a one-line description")
    if cls.key() in _REGISTRY:
        raise ValueError(f"annotator {cls.key()} is registered twice")
    _REGISTRY[cls.key()] = cls
    return cls


def registered() -> list[type[Annotator]]:
    """The annotator classes in the order they run: each after the ones it ``needs``, otherwise in
    registration order (import ``irbc.annotators`` first). An unknown or circular need fails loudly."""
    done: dict[str, type[Annotator]] = {}

    def visit(key: str, path: tuple[str, ...]) -> None:
        if key in done:
            return
        if key in path:
            raise ValueError(f"annotators need each other: {' -> '.join((*path, key))}")
        if key not in _REGISTRY:
            raise ValueError(f"{path[-1]} needs unknown annotator {key!r}")
        for need in _REGISTRY[key].needs:
            visit(need, (*path, key))
        done[key] = _REGISTRY[key]

    for key in _REGISTRY:
        visit(key, ())
    return list(done.values())


def build_annotators(env: AnnotatorEnv) -> list[Annotator]:
    return [cls(env) for cls in registered()]


def stray_files(ann_dir: Path, doc_ids: set[str]) -> list[tuple[Path, str]]:
    """Files in an annotator's folder that no document would read (misnamed, or for no doc_id of the sources
    manifest): silently ignoring them would lose a document's annotations, so each is reported."""
    out = []
    folders: set[str] = set()
    for cls in registered():
        if cls.folder is None or cls.folder in folders or not (ann_dir / cls.folder).is_dir():
            continue  # a folder two annotators read (mentions: curated_v1 mentions and their reviews) is listed once
        folders.add(cls.folder)
        for p in sorted((ann_dir / cls.folder).iterdir()):
            if p.name.startswith("."):
                continue
            if p.suffix != ".yaml" or not p.is_file():
                out.append((p, f"not a {cls.name} file: {cls.folder} files are named <doc_id>.yaml"))
            elif p.stem not in doc_ids:
                out.append((p, f"names no document: {p.stem!r} is not a doc_id in sources.yaml"))
    return out
