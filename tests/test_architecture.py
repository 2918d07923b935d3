"""The shape of the package: no import cycles, registries that own what they claim (annotators, exporters,
integrity checks), tables derived from schema/, and one-document processing for the review template."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import CORPUS, ROOT, run_cli

PKG = ROOT / "build" / "irbc"


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> dict[str, set[str]]:
    """Module -> the irbc modules it imports (at any depth of the file, lazy imports included)."""
    mods = {_module_name(p): p for p in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            deps.update(t for t in targets if t in mods and t.startswith("irbc"))
        own_children = path.name == "__init__.py"
        graph[name] = {d for d in deps if d != name and not (own_children and d.startswith(name + "."))}
    return graph


def test_no_relative_imports_and_no_import_cycles() -> None:
    graph = _imports()
    for path in PKG.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not any(isinstance(n, ast.ImportFrom) and n.level for n in ast.walk(tree)), path
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*stack[stack.index(d) :], d]))
            if d not in state:
                visit(d, [*stack, d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


def test_cycle_finder_finds_a_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above can fail: two modules importing each other are reported."""
    pkg = tmp_path / "irbc"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from irbc.b import x\n")
    (pkg / "b.py").write_text("def x():\n    from irbc.a import y\n")
    monkeypatch.setattr(__import__(__name__), "PKG", pkg)
    with pytest.raises(AssertionError, match="import cycle"):
        test_no_relative_imports_and_no_import_cycles()


def test_tables_are_the_schemas_with_a_table_order() -> None:
    from irbc.core.schema import DOC_TABLES, TABLES, load_schema

    on_disk = {p.name.removesuffix(".schema.json") for p in (ROOT / "schema").glob("*.schema.json")}
    assert set(TABLES) <= on_disk
    for inputs in ("sources_manifest", "cleaning_rules", "codebook", "mention_review", "dataset_description"):
        assert inputs in on_disk and inputs not in TABLES
    assert [load_schema(t)["x-table-order"] for t in TABLES] == sorted(
        load_schema(t)["x-table-order"] for t in TABLES
    )
    assert TABLES[0] == "documents" and len(set(TABLES)) == len(TABLES)
    assert all("x-primary-key" in load_schema(t) for t in TABLES)
    assert set(DOC_TABLES) == {t for t in TABLES if "doc_id" in load_schema(t)["properties"]}
    assert "concepts" not in DOC_TABLES and "stances" in DOC_TABLES


def test_annotators_run_after_what_they_need() -> None:
    import irbc.annotators  # noqa: F401
    from irbc.annotators import registry

    order = [c.key() for c in registry.registered()]
    assert order.index("concept_mentions/lexicon_v1") < order.index("concept_mentions/curated_v1")
    assert "stances/curated_v1" in order
    for cls in registry.registered():
        assert all(order.index(n) < order.index(cls.key()) for n in cls.needs)


def test_annotator_registry_refuses_twins_and_unknown_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    from irbc.annotators import registry

    monkeypatch.setattr(registry, "_REGISTRY", {})

    class A(registry.Annotator):
        name, table, description = "a_v1", "concept_mentions", "a test layer"
        needs = ("concept_mentions/missing_v1",)

    registry.register(A)
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(A)
    with pytest.raises(ValueError, match="unknown annotator"):
        registry.registered()

    class B(registry.Annotator):
        name, table = "b_v1", "concept_mentions"

    with pytest.raises(ValueError, match="one-line description"):
        registry.register(B)


def test_every_release_file_comes_from_a_registered_exporter(release: Path) -> None:
    from irbc.release.exporters import MANIFEST, registered_exporters, required_files

    exporters = registered_exporters()
    names = [e.name for e in exporters]
    assert len(names) == len(set(names)) and all(n[-3:-1] == "_v" for n in names)
    claimed = {f for e in exporters for f in e.files}
    on_disk = {str(p.relative_to(release)) for p in release.rglob("*") if p.is_file()}
    for rel in on_disk - {MANIFEST}:
        if rel.startswith("data/"):
            continue  # the tables: written by the driver's sink
        folder = rel.split("/")[0] + "/"
        assert rel in claimed or folder in claimed, f"{rel} is written by no registered exporter"
    for f in required_files():
        assert (release / f).is_file(), f
    manifest = json.loads((release / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["files"]) == on_disk - {MANIFEST}


def test_integrity_checks_are_registered_by_versioned_name() -> None:
    from irbc.gate.integrity import registered_checks

    names = registered_checks()
    assert len(names) == len(set(names)) >= 10
    assert all(n.rsplit("_", 1)[-1].startswith("v") for n in names)


def test_withheld_columns_come_from_the_schema() -> None:
    from irbc.core.schema import withheld_columns

    assert withheld_columns("documents") == (["author_bio", "ethics_statement", "disclaimer", "text"], {})
    assert withheld_columns("stances") == ([], {"evidence": ["quote"]})
    assert withheld_columns("sections") == ([], {})


def test_review_template_reads_only_its_document(tmp_path: Path) -> None:
    """Another document's broken raw file stops a build, but not the template of a document that is fine."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    sources = yaml.safe_load((corpus / "sources.yaml").read_text(encoding="utf-8"))["sources"]
    other = next(s for s in sources if s["doc_id"] == "cox_2021_comrades_putin_xi")
    (corpus / "raw" / other["source_file"]).write_bytes(b"\xff\xfe not utf-8")
    assert (
        run_cli("build", "--corpus", str(corpus), "--out", str(tmp_path / "rel"), "--quiet").returncode == 1
    )
    proc = run_cli("review-template", "ore_soft_balancing", "--corpus", str(corpus))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("doc_id: ore_soft_balancing\n") and "decisions:" in proc.stdout
    bad = run_cli("review-template", "no_such_doc", "--corpus", str(corpus))
    assert bad.returncode == 1 and "unknown doc_id 'no_such_doc'" in bad.stderr


def test_setuptools_never_writes_into_the_package_folder():
    """build/ holds the package (the product's layout), which setuptools would take for its own output folder:
    setup.cfg sends its build output and the egg-info elsewhere. Read back through setuptools' own commands."""
    import os

    from setuptools.dist import Distribution

    here = os.getcwd()
    os.chdir(ROOT)
    try:
        dist = Distribution()
        dist.parse_config_files(filenames=["setup.cfg"])  # pyproject.toml is not needed for these two
        build = dist.get_command_obj("build")
        build.ensure_finalized()
        egg = dist.get_command_obj("egg_info")
        egg.ensure_finalized()
    finally:
        os.chdir(here)
    pkg = (ROOT / "build").resolve()
    for path in (Path(ROOT / build.build_base).resolve(), Path(ROOT / egg.egg_base).resolve()):
        assert path != pkg and pkg not in path.parents, path
