"""What the rights decide: which texts may leave the machine. Each document's redistribution decision
(``redistribution: withhold|allowed``) is in the sources manifest, which every release ships as
``build_inputs/sources.yaml``. A release is publishable only if it carries no text of a ``withhold`` document: a
full-text build of this corpus is for local use, its stand-off build (``--text-policy standoff``) is the one to
publish.

The decision is read from the release's own data (the shipped sources manifest, and which rows of ``documents``
have a non-null ``text``) by one function, ``publishable``: the manifest records it (``publishable``), ``irbc
validate`` checks that the manifest agrees with the data, ``irbc publish`` refuses what it forbids, and the card
and the build log say which kind of release was built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from irbc.core.errors import InputError
from irbc.core.tables import TableStore, table_path
from irbc.core.yamlio import safe_load

BUILD_INPUTS = "build_inputs"  # the corpus configuration files, as shipped in every release
SOURCES = "sources.yaml"  # the sources manifest, as shipped in build_inputs/
WITHHOLD = "withhold"


def withheld_docs(sources: list[dict[str, Any]]) -> set[str]:
    """The documents whose text may not be redistributed."""
    return {s["doc_id"] for s in sources if s["redistribution"] == WITHHOLD}


def parse_sources(data: bytes | str, where: str) -> dict[str, dict[str, Any]]:
    """The sources manifest entries by doc_id."""
    try:  # libyaml's parser, as the build reads corpus/sources.yaml (irbc.core.yamlio)
        return {s["doc_id"]: s for s in safe_load(data)["sources"]}
    except (yaml.YAMLError, TypeError, KeyError) as exc:
        raise InputError(where, None, f"not a sources manifest: {exc}") from exc


def documents_with_text(tables: TableStore) -> list[str]:
    """The doc_ids whose ``documents.text`` is not null, read a piece at a time (in table order)."""
    out: list[str] = []
    for piece in tables.slices("documents", 32 << 20):
        batch = tables.read_slice("documents", piece, ["doc_id", "text"])
        valid = batch["text"].is_valid().to_pylist()
        out += [d for d, v in zip(batch["doc_id"].to_pylist(), valid, strict=True) if v]
    return out


def publishable(
    sources: dict[str, dict[str, Any]], doc_ids: list[str], with_text: list[str]
) -> dict[str, Any]:
    """The manifest's ``publishable`` record: ``ok``, a one-sentence ``reason``, the documents whose text the
    release carries although their redistribution is ``withhold``, and those whose text it withholds (sorted)."""
    withhold = withheld_docs([sources[d] for d in doc_ids])
    offending = sorted(withhold & set(with_text))
    absent = sorted(set(doc_ids) - set(with_text))
    if offending:
        reason = (
            f"the release contains the text of {len(offending)} document(s) whose redistribution is "
            f"`{WITHHOLD}` in {BUILD_INPUTS}/{SOURCES}: it is a full-text release for local use; publish the "
            "stand-off release (irbc build --text-policy standoff) instead"
        )
    elif withhold:
        reason = (
            f"every `{WITHHOLD}` document's text is withheld ({len(withhold)} document(s): stand-off release)"
        )
    else:
        reason = f"no document's redistribution is `{WITHHOLD}`"
    return {
        "ok": not offending,
        "reason": reason,
        "documents_with_withheld_text": offending,
        "documents_text_withheld": absent,
    }


def result_sources(result: Any) -> dict[str, dict[str, Any]]:
    """The sources manifest entries by doc_id, from the bytes the release ships (build and rehydrate alike),
    parsed once per build result (the card, the LICENSE and the manifest read them)."""
    if "sources" not in result.derived:
        result.derived["sources"] = parse_sources(result.build_inputs[SOURCES], f"{BUILD_INPUTS}/{SOURCES}")
    out: dict[str, dict[str, Any]] = result.derived["sources"]
    return out


def result_publishable(result: Any) -> dict[str, Any]:
    """``publishable`` of a build result (irbc.core.result.BuildResult), computed once and kept."""
    if "publishable" not in result.derived:
        sources = result_sources(result)
        doc_ids = result.tables.read("documents", ["doc_id"])["doc_id"].to_pylist()
        result.derived["publishable"] = publishable(sources, doc_ids, documents_with_text(result.tables))
    out: dict[str, Any] = result.derived["publishable"]
    return out


def release_publishable(release: Path) -> dict[str, Any]:
    """``publishable`` of a release folder, from its own files (never from its manifest)."""
    path = Path(release) / BUILD_INPUTS / SOURCES
    if not path.is_file():
        raise InputError(str(path), None, "missing: the release does not say what its texts' rights are")
    sources = parse_sources(path.read_bytes(), str(path))
    if not table_path(Path(release) / "data", "documents").is_file():
        raise InputError(str(table_path(Path(release) / "data", "documents")), None, "missing table file")
    tables = TableStore(folder=Path(release) / "data")
    doc_ids = tables.read("documents", ["doc_id"])["doc_id"].to_pylist()
    unknown = sorted(set(doc_ids) - set(sources))
    if unknown:
        raise InputError(str(path), None, f"no redistribution decision for {', '.join(unknown)}")
    return publishable(sources, doc_ids, documents_with_text(tables))
