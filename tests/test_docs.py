"""The README's table list is derived from schema/ and must stay in sync with it."""

from __future__ import annotations

import re

from conftest import ROOT
from irbc.core.schema import TABLES, load_schema


def test_readme_lists_every_table_and_column():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- tables:begin.*?-->(.*?)<!-- tables:end -->", readme, re.S).group(1)
    for t in TABLES:
        line = next(ln for ln in block.splitlines() if ln.startswith(f"- **`{t}`**"))
        assert re.findall(r"`([a-zA-Z0-9_]+)`", line.split("Columns:")[1]) == list(
            load_schema(t)["properties"]
        )


def test_readme_gives_exactly_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.S)
    assert [b.strip() for b in blocks] == ["make release", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_readme_lists_every_source_field_as_the_schema_says():
    """The section on adding texts cannot drift from the sources schema: it is the list generated from it."""
    from irbc.release.markdown import source_fields_markdown

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- source-fields:begin -->\n(.*?)\n<!-- source-fields:end -->", readme, re.S).group(
        1
    )
    assert block == source_fields_markdown()
    item = load_schema("sources_manifest")["properties"]["sources"]["items"]
    for field in item["required"]:
        assert f"- `{field}` (required" in block
