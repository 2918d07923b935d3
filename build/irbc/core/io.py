"""Small I/O helpers every package uses: the release JSON writer, SHA-256 of a file, validated config files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from irbc.core.schema import validate_input
from irbc.core.yamlio import load_data, strip_lines


def write_json(path: Path, obj: Any) -> None:
    """The one way release JSON files are written (stable layout: indent 2, UTF-8, trailing newline)."""
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``: a reader (or a shell
    redirect of the same file) never sees it half-written, and a failure leaves the old file as it was."""
    import os
    import tempfile

    path = Path(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}-", suffix=".tmp", dir=path.parent if str(path.parent) else "."
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fold_diacritics(s: str) -> str:
    """Lower case without combining marks, for matching names such as "Özkanca" and "Ozkanca"."""
    if s.isascii():  # NFKD leaves ASCII as it is and it has no combining marks
        return s.lower()
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load_config_file(path: Path, schema: str, *, keep_lines: bool = False) -> Any:
    """Load a human-edited YAML/JSON file and validate it against ``schema/<schema>.schema.json``.
    ``keep_lines`` keeps the line numbers, for later errors that point at an entry's line."""
    data = load_data(path, keep_lines=True)
    validate_input(schema, data, str(path))
    return data if keep_lines else strip_lines(data)
