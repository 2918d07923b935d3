"""How refextract does on the hand-checked citation sample (README, "Why a small parser of our own").

refextract is not a dependency: install it in a throwaway venv and point this script at that venv's python:

    python3 -m venv /tmp/refx && /tmp/refx/bin/pip install refextract
    PYTHONPATH=build .venv/bin/python benchmarks/refextract_citations.py /tmp/refx/bin/python

A note's i-th reference is paired with its i-th sampled citation (lenient: refextract repeats references);
surnames count as found when the sampled surname occurs in refextract's author string."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from irbc.stages.document import process_document
from irbc.stages.read import load_corpus_config, read_raw

FIELDS = {"year": "year", "title": "title", "container": "journal_title", "volume": "journal_volume",
          "pages": "journal_page", "surname": "author"}  # fmt: skip
RUN = """
import json, sys
from refextract import extract_references_from_string
notes = json.load(open(sys.argv[1]))
json.dump([extract_references_from_string(n["text"]) for n in notes], open(sys.argv[2], "w"), default=str)
"""


def sample_notes(corpus: Path) -> list[dict]:
    cfg = load_corpus_config(corpus)
    sample = yaml.safe_load((corpus / "annotations/citations/sample.yaml").read_text())["documents"]
    out = []
    for s in cfg.sources:
        if s["doc_id"] not in sample:
            continue
        raw, sha = read_raw(corpus / "raw" / s["source_file"])
        res = process_document(s, raw, cfg.rules, cfg.profile(s["site"]), sha)
        for n in res.notes:
            short = n.note_id.rsplit("-", 1)[1]
            if short in sample[s["doc_id"]]:
                out.append({"text": n.text, "expected": sample[s["doc_id"]][short] or []})
    return out


def score(notes: list[dict], refs: list[list[dict]]) -> dict[str, list[int]]:
    c = {f: [0, 0, 0] for f in ("references", *FIELDS)}
    for n, got in zip(notes, refs, strict=True):
        exp = n["expected"]
        for i in range(max(len(got), len(exp))):
            e = exp[i] if i < len(exp) else None
            g = got[i] if i < len(got) else None
            c["references"][0 if e and g else (2 if e else 1)] += 1
            for f, gf in FIELDS.items():
                ev, gv = (e or {}).get(f), (g or {}).get(gf)
                gv = " ".join(gv) if isinstance(gv, list) else gv
                ok = (
                    ev is not None and gv is not None and (str(ev) in gv if f == "surname" else str(ev) == gv)
                )
                c[f][0] += ok
                c[f][1] += bool(gv) and not ok
                c[f][2] += ev is not None and not ok
    return c


def main() -> None:
    notes = sample_notes(Path("corpus"))
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "notes.json", Path(tmp) / "refs.json"
        src.write_text(json.dumps(notes), encoding="utf-8")
        subprocess.run([sys.argv[1], "-c", RUN, str(src), str(dst)], check=True)
        refs = json.loads(dst.read_text(encoding="utf-8"))
    for f, (tp, fp, fn) in score(notes, refs).items():
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        print(f"{f:<11} precision {p:.2f} recall {r:.2f} (tp {tp}, fp {fp}, fn {fn})")


if __name__ == "__main__":
    main()
