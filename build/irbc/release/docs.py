"""docs/: what makes the release self-describing, shipped byte for byte as the build read it: the JSON Schemas of
the tables and input files, the annotation guidelines and the concept codebook (``docs/schema/``), and the
stance agreement data the DATASHEET reports (``docs/corpus/``). The citation parser's hand-checked sample is not
shipped: it copies bibliographic text of the notes, which a stand-off release withholds. The driver collects them
into the build result;
``rehydrate`` reads them back from the release, so a rehydrated release ships the same bytes."""

from __future__ import annotations

from pathlib import Path

from irbc.annotators.agreement import AGREEMENT_FILE
from irbc.core.schema import schema_dir
from irbc.release.citation import LICENSE_FILE
from irbc.release.exporters import ExportContext, exporter
from irbc.release.files import RULES
from irbc.release.rights import BUILD_INPUTS, SOURCES

DOCS = "docs"
SCHEMA_DOCS = f"{DOCS}/schema"  # schema/ of the project
GUIDELINES = f"{SCHEMA_DOCS}/GUIDELINES.md"
CODEBOOK = f"{SCHEMA_DOCS}/codebook.yaml"
AGREEMENT = f"{DOCS}/corpus/{AGREEMENT_FILE}"  # corpus/annotations/agreement/... of the corpus folder


def shipped_docs(corpus_root: Path, with_agreement: bool) -> dict[str, bytes]:
    """Release path -> bytes: every schema, the guidelines and the codebook, and the stance agreement file when
    the build measured the agreement from it."""
    src = schema_dir()
    names = sorted(p.name for p in src.glob("*.schema.json"))
    out = {f"{SCHEMA_DOCS}/{n}": (src / n).read_bytes() for n in names}
    out[GUIDELINES] = (src / "GUIDELINES.md").read_bytes()
    out[CODEBOOK] = (src / "codebook.yaml").read_bytes()
    if with_agreement:
        out[AGREEMENT] = (Path(corpus_root) / AGREEMENT_FILE).read_bytes()
    return out


def shipped_paths() -> dict[str, str]:
    """Where the release ships the files that the documentation points to (placeholders of the templates and the
    corpus description): the card and the DATASHEET cite these copies, never files outside the release."""
    return {
        "schema_path": SCHEMA_DOCS + "/",
        "guidelines_path": GUIDELINES,
        "codebook_path": CODEBOOK,
        "agreement_path": AGREEMENT,
        "sources_path": f"{BUILD_INPUTS}/{SOURCES}",
        "rules_path": f"{BUILD_INPUTS}/{RULES}",
        "license_path": LICENSE_FILE,
    }


def read_docs(release: Path) -> dict[str, bytes]:
    """The shipped docs of a finished release (for ``rehydrate``)."""
    folder = Path(release) / DOCS
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(release)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@exporter(
    "docs_v1",
    f"{DOCS}/",
    description="the JSON Schemas, annotation guidelines and codebook (docs/schema/) and the stance agreement data",
    report_free=True,
)
def write_docs(release: Path, ctx: ExportContext) -> None:
    for rel, data in sorted(ctx.result.docs.items()):
        path = release / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
