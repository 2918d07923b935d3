"""Issue 18: the faster ways of finding the cleaner's block and list-line separators give the matches of the
patterns that define them (``BLOCK_SEP``, ``LIST_LINE``), on the raw texts and on generated ones."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from irbc.stages.clean import _BLOCK_SEP_CORE, _LIST_LINE_CORE, BLOCK_SEP, LIST_LINE, _ws_runs

PAIRS = [(BLOCK_SEP, _BLOCK_SEP_CORE), (LIST_LINE, _LIST_LINE_CORE)]


def _both(text: str, pos: int, end: int) -> None:
    for definition, core in PAIRS:
        assert _ws_runs(core, text, pos, end) == [m.span() for m in definition.finditer(text, pos, end)]


def test_the_raw_texts() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "raw").iterdir())]
    assert len(texts) == 5
    for t in texts:
        _both(t, 0, len(t))
    assert sum(1 for t in texts for _ in BLOCK_SEP.finditer(t)) > 300  # the comparison has matches to compare


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab •·\n\t\r\u00a0\u2003")), max_size=80), st.data())
def test_generated_texts(text: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(pos, len(text)))
    _both(text, pos, end)


def test_the_heap_is_frozen_before_the_documents_are_built() -> None:
    """What was loaded before the per-document stage is in the collector's permanent generation, so full
    collections during the build do not walk it (issue 18: a quarter of the per-document time)."""
    import gc

    from irbc.run.local import run_local

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    ran_on: list[str] = []
    assert list(run_local([], None, 1, None, ran_on)) == []
    try:
        assert gc.get_freeze_count() > 0 and ran_on == ["this process"]
    finally:
        gc.unfreeze()


def _real_chunk() -> tuple[object, list]:
    """The context and the tasks of the five real documents, as the driver makes them."""
    from irbc.run.context import make_context
    from irbc.stages.read import load_corpus_config

    cfg = load_corpus_config(CORPUS)
    tasks = [(s, str(CORPUS / "raw" / s["source_file"])) for s in cfg.sources]
    return make_context(cfg, {}, "full"), tasks


def test_a_chunk_is_built_with_few_collections_and_the_thresholds_come_back(monkeypatch) -> None:
    """Issue 18: with the default thresholds the collector runs ~160 times over the five real documents, 14 of
    them older-generation collections that walk every row built so far; a chunk raises the thresholds while it
    runs and puts the caller's back afterwards, also when it fails."""
    import gc

    import pytest

    from irbc.run import worker

    ctx, tasks = _real_chunk()
    worker.init_worker(ctx)
    worker.run_chunk(tasks[:1])  # first-use imports and caches are not what is measured
    runs = [0, 0, 0]

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            runs[info["generation"]] += 1

    before = gc.get_threshold()
    gc.callbacks.append(count)
    try:
        out = worker.run_chunk(tasks)
    finally:
        gc.callbacks.remove(count)
    assert gc.get_threshold() == before
    assert len(out.docs) == 5 and all(d.error is None for d in out.docs)
    assert runs[1] == runs[2] == 0 and runs[0] <= 10, runs

    seen = []

    def fail(tasks: list) -> None:
        seen.append(gc.get_threshold())
        raise RuntimeError("boom")

    monkeypatch.setattr(worker, "_run_chunk", fail)
    with pytest.raises(RuntimeError):
        worker.run_chunk(tasks)
    assert seen == [worker.CHUNK_GC_THRESHOLD] and gc.get_threshold() == before


def test_rows_are_the_records_as_dataclasses_asdict_gives_them() -> None:
    """``to_row`` builds each row with a function made per record type (issue 18); over every record of the
    five real documents the rows equal ``dataclasses.asdict``'s, and no list is shared with the record."""
    from dataclasses import asdict

    from irbc.core.records import to_row
    from irbc.stages.document import process_document
    from irbc.stages.read import load_corpus_config, read_raw

    cfg = load_corpus_config(CORPUS)
    kinds: set[str] = set()
    nested = 0  # rows whose list holds nested records (a note's callouts)
    for s in cfg.sources:
        raw, sha = read_raw(CORPUS / "raw" / s["source_file"])
        res = process_document(s, raw, cfg.rules, cfg.profile(s["site"]), sha)
        records = [res.document, *res.sections, *res.paragraphs, *res.notes, *res.removed, *res.citations]
        records += [*res.sentences, *res.diagnostics]
        for r in records:
            row = to_row(r)
            assert row == asdict(r) and list(row) == list(asdict(r))
            for k, v in row.items():
                if isinstance(v, list):
                    assert v is not getattr(r, k)
                    nested += bool(v) and all(isinstance(x, dict) for x in v)
            kinds.add(type(r).__name__)
    assert {"Document", "Section", "Paragraph", "Note", "Removed", "Citation", "Sentence"} <= kinds
    assert nested > 50


def _fold_spec(s: str) -> str:
    """``fold_diacritics`` as first written: NFKD, combining marks dropped, lower case."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("AbZ z-.'Öößçé\u0301\u00a0ﬁİ")) | st.characters(), max_size=30))
def test_folding_takes_a_short_cut_for_ascii_only(s: str) -> None:
    """Issue 18: an ASCII string is only lower-cased (NFKD and the combining marks cannot change it)."""
    from irbc.core.io import fold_diacritics

    assert fold_diacritics(s) == _fold_spec(s)


def _references_spec(r, t: str, col: str, rt: str, rc: str) -> tuple[int, list[str]]:
    """The foreign-key check of one column as first written, one row and one value at a time."""
    from irbc.core.schema import load_schema

    idx = {row[rc]: row.get("doc_id") for row in r.tables[rt]}
    same_doc = col != "doc_id" and "doc_id" in load_schema(rt)["properties"]
    key = load_schema(t)["x-primary-key"]
    probs, n = [], 0
    for row in r.tables.get(t, []):
        for v in row[col] if isinstance(row[col], list) else [row[col]]:
            if v is None:
                continue
            n += 1
            if v not in idx:
                probs.append(f"{row[key]}: {col} {v!r} is not in {rt}.{rc}")
            elif same_doc and idx[v] != row["doc_id"]:
                probs.append(f"{row[key]}: {col} {v!r} belongs to document {idx[v]!r}, not {row['doc_id']!r}")
    return n, probs


_CHUNK_ROWS: dict = {}


def _chunk_rows() -> dict:
    """Every table's rows of the five real documents, as a worker's chunk holds them (built once)."""
    if not _CHUNK_ROWS:
        from irbc.core.schema import DOC_TABLES
        from irbc.run import worker

        ctx, tasks = _real_chunk()
        worker.init_worker(ctx)
        rows: dict = {t: [] for t in DOC_TABLES}
        for s, path in tasks:
            worker.build_document(ctx, s, path, rows)
        _CHUNK_ROWS.update(rows, concepts=ctx.concepts, stance_targets=ctx.targets, works=[])
    return _CHUNK_ROWS


def _fk_results(tables: dict) -> tuple[list, list]:
    from irbc.core.schema import DOC_TABLES
    from irbc.gate.integrity import Records, foreign_key_checks, foreign_keys

    r = Records(tables, None)
    got = [(c.checked, c.failed, c.examples, c.passed) for c in foreign_key_checks(r)]
    spec = []
    for t, col, rt, rc in foreign_keys():
        n, probs = (
            (0, []) if t not in DOC_TABLES and rt in DOC_TABLES else _references_spec(r, t, col, rt, rc)
        )
        spec.append((n, len(probs), probs[:5], not probs))
    return got, spec


def test_foreign_keys_of_the_real_documents_pass_as_the_row_loop_says() -> None:
    got, spec = _fk_results(_chunk_rows())
    assert got == spec and all(c[3] for c in got) and sum(c[0] for c in got) > 5000


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_foreign_keys_find_the_faults_the_row_loop_finds(data: st.DataObject) -> None:
    """Issue 18: a scalar column is checked with set and map operations and the row loop words the problems
    only when there are some. Damaged columns (an unknown id, another document's id, None, a list cell, several
    at once) give the same counts and messages, in the same order, as the row-by-row check."""
    import copy

    from irbc.gate.integrity import foreign_keys

    base = _chunk_rows()
    fks = [fk for fk in foreign_keys() if base[fk[0]] and fk[0] != "works"]
    tables = dict(base)
    for _ in range(data.draw(st.integers(1, 3))):
        t, col, rt, rc = data.draw(st.sampled_from(fks))
        rows = tables[t] = [copy.copy(row) for row in tables[t]]
        i = data.draw(st.integers(0, len(rows) - 1))
        others = [row[rc] for row in base[rt] if row.get("doc_id") not in (None, rows[i]["doc_id"])]
        choices = [None, "no-such-id", *others[:1], *others[-1:]]
        if col != "doc_id":  # (Records indexes the rows by their doc_id, which must be a string)
            choices += [[base[t][i][col]], [base[t][i][col], "no-such-id"]]
        rows[i][col] = data.draw(st.sampled_from(choices))
    got, spec = _fk_results(tables)
    assert got == spec
