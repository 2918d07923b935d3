"""Issue 18: the faster ways of finding the cleaner's block and list-line separators give the matches of the
patterns that define them (``BLOCK_SEP``, ``LIST_LINE``), on the raw texts and on generated ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, ROOT
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
    """The foreign-key check of one column one row and one value at a time (its first-written loop), with the
    index and the same-document rule made here from the tables and the schemas."""
    from irbc.core.schema import load_schema
    from irbc.gate.integrity import _references_row_by_row

    idx = {row[rc]: row.get("doc_id") for row in r.tables[rt]}
    same_doc = col != "doc_id" and "doc_id" in load_schema(rt)["properties"]
    return _references_row_by_row(r.tables.get(t, []), col, idx, same_doc, rt, rc, t)


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


def _yaml_outcome(load, text: str, keep_lines: bool) -> tuple[str, str]:
    try:
        return "value", repr(load(text, keep_lines))
    except Exception as exc:  # the error, as the caller would see it
        return type(exc).__name__, str(exc)


def _yaml_spec(text: str, keep_lines: bool):
    """PyYAML's constructor with the project's loaders, as the files were loaded before issue 18."""
    import yaml

    from irbc.core import yamlio

    return yaml.load(text, Loader=yamlio._LineLoader if keep_lines else yamlio._NoAliasLoader)


_SCALARS = st.one_of(
    st.text(max_size=12),
    st.integers(-5, 10**6),
    st.booleans(),
    st.none(),
    st.sampled_from(["yes", "no", "on", "~", "0o17", "012", "1_000", "2020-01-02", "1:20", "3.5e3", ".nan"]),
)
_TREES = st.recursive(
    _SCALARS,
    lambda kids: (
        st.lists(kids, max_size=4)
        | st.dictionaries(st.text(max_size=6) | st.integers(0, 3), kids, max_size=4)
    ),
    max_leaves=15,
)
_SNIPPETS = [
    "&a ",
    "*a",
    "<<: *a\n",
    "!!str ",
    "!!set ",
    "!custom ",
    "? [x]\n: 1\n",
    "k: 1\nk: 2\n",
    "- ",
    ": ",
    "'",
    "\t",
    "\n---\n",
    "__line__: 9\n",
]


@settings(max_examples=400, deadline=None)
@given(
    _TREES, st.booleans(), st.lists(st.tuples(st.integers(0, 400), st.sampled_from(_SNIPPETS)), max_size=3)
)
def test_yaml_files_load_as_pyyaml_loads_them(tree, keep_lines: bool, edits) -> None:
    """Issue 18: a tree of strings, lists and dicts is built straight from libyaml's nodes; every other file
    goes through PyYAML's constructor. Generated YAML (every scalar type, block and flow styles) with anchors,
    aliases, merge keys, tags, complex and repeated keys, line keys and syntax errors spliced in loads to the
    same value, with the same key order and line numbers, or fails with the same error."""
    import yaml

    from irbc.core import yamlio

    text = yaml.safe_dump(tree, default_flow_style=None, allow_unicode=True)
    for at, snippet in edits:
        at = min(at, len(text))
        text = text[:at] + snippet + text[at:]
    assert _yaml_outcome(yamlio._load, text, keep_lines) == _yaml_outcome(_yaml_spec, text, keep_lines)
    # a release's manifest read back: libyaml's safe loader, aliases allowed
    for data in (text, text.encode()):
        spec = _yaml_outcome(lambda t, _: yaml.load(t, Loader=yaml.CSafeLoader), data, False)
        assert _yaml_outcome(lambda t, _: yamlio.safe_load(t), data, False) == spec


def test_the_project_s_yaml_files_take_the_direct_path(monkeypatch) -> None:
    """Every YAML file of the corpus and of validation/ is a plain tree: it loads as PyYAML loads it without
    reaching PyYAML's constructor (so the fast path is the one the build takes)."""
    import yaml

    from irbc.core import yamlio

    files = sorted(CORPUS.rglob("*.yaml")) + sorted((ROOT / "validation").rglob("*.yaml"))
    spec = {f: [_yaml_spec(f.read_text(encoding="utf-8"), k) for k in (True, False)] for f in files}
    monkeypatch.setattr(yaml, "load", lambda *a, **k: pytest.fail("PyYAML's constructor was reached"))
    for f in files:
        got = [yamlio._load(f.read_text(encoding="utf-8"), k) for k in (True, False)]
        assert repr(got) == repr(spec[f]), f
    assert len(files) >= 10


def _duplicate_block_spec(raw: str, min_lines: int) -> list[tuple[int, int]]:
    """The first-written duplicate-block detector: at each line, every run length from the longest down."""
    import re

    lines = [
        (m.start(), m.end(), m.group().strip()) for m in re.finditer(r"[^\n]*\n?", raw) if m.group().strip()
    ]
    spans = []
    i, n = 0, len(lines)
    while i < n:
        for k in range((n - i) // 2, min_lines - 1, -1):
            if [t for _, _, t in lines[i : i + k]] == [t for _, _, t in lines[i + k : i + 2 * k]]:
                spans.append((lines[i + k][0], lines[i + 2 * k - 1][1]))
                i += 2 * k
                break
        else:
            i += 1
    return spans


def test_duplicate_blocks_of_the_raw_texts_are_the_spec_s() -> None:
    from irbc.stages.rules import _duplicate_block_spans

    texts = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "raw").iterdir())]
    found = 0
    for t in texts:
        for min_lines in (2, 3, 4):
            got = _duplicate_block_spans(t, min_lines)
            assert got == _duplicate_block_spec(t, min_lines)
            found += len(got)
    assert found > 0  # the raw texts hold a repeated block (a duplicated header)


def test_duplicate_blocks_of_made_cases() -> None:
    """Hand-checked cases: of three copies only the second goes (the scan goes on after it, and the third has
    no copy after it); a line recurring every other line is no repeated block, unless a whole run repeats."""
    from irbc.stages.rules import _duplicate_block_spans

    assert _duplicate_block_spans("a\nb\na\nb\na\nb\n", 2) == [(4, 8)]
    assert _duplicate_block_spans("x\nA\nB\nC\nA\nB\nC\ny\n", 3) == [(8, 14)]
    assert _duplicate_block_spans("x\nA\nB\nC\nA\nB\nC\ny\n", 4) == []
    ads = "".join(f"Advertisement\nline {j}\n" for j in range(300))
    assert _duplicate_block_spans(ads, 3) == [] == _duplicate_block_spec(ads, 3)
    twice = ads + ads  # the whole run, 600 lines, is repeated: its copy goes
    assert _duplicate_block_spans(twice, 3) == [(len(ads), len(twice))] == _duplicate_block_spec(twice, 3)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(st.sampled_from(["a\n", "b\n", " a \n", "c\n", "\n", "  \n", "a", "b b\n"]), max_size=40),
    st.integers(2, 5),
)
def test_duplicate_blocks_of_generated_lines_are_the_spec_s(pieces: list[str], min_lines: int) -> None:
    """Few distinct lines, so runs repeat, overlap and nest (blank lines and surrounding space do not count)."""
    from irbc.stages.rules import _duplicate_block_spans

    raw = "".join(pieces)
    assert _duplicate_block_spans(raw, min_lines) == _duplicate_block_spec(raw, min_lines)


# ------------------------------------------------------------------------------------------ stance_sentences view
def _stance_sentences_spec(tables) -> list[list[dict]]:
    """The first-written ``stance_sentences`` pieces, row by row over Python objects: one row per stance and
    sentence id of its evidence (first appearance, in stance order), the text of the stance's document sliced at
    the sentence's span (None where the text is withheld); a piece per BATCH_ROWS stances of each slice."""
    from irbc.release import views

    def batches():
        for p in tables.slices("stances", views.PIECE_BYTES):
            data = tables.read_slice("stances", p, views.STANCE_COLUMNS)
            for off in range(0, data.num_rows, views.BATCH_ROWS):
                yield data.slice(off, views.BATCH_ROWS).to_pylist()

    def ids(s):
        return list(dict.fromkeys(sid for ev in s["evidence"] for sid in ev["sentence_ids"]))

    spans = {
        r["sentence_id"]: (r["start"], r["end"])
        for r in tables.read("sentences", ["sentence_id", "start", "end"]).to_pylist()
    }
    texts = dict(zip(*tables.read("documents", ["doc_id", "text"]).to_pydict().values(), strict=True))
    keep = ("stance_id", "doc_id", "target_id", "holder", "attribution", "stance", "annotator")
    out = []
    for piece in batches():
        rows = []
        for s in piece:
            for sid in ids(s):
                text = texts[s["doc_id"]]
                a, b = spans[sid]
                rows.append(
                    {
                        **{k: s[k] for k in keep},
                        "sentence_id": sid,
                        "sentence": None if text is None else text[a:b],
                    }
                )
        out.append(rows)
    return out


def _view_store(data: st.DataObject):
    """An in-memory store of stances, sentences and documents: evidence lists with repeated sentence ids within
    and across quotes, empty lists, withheld texts, and more stances than a batch."""
    import pyarrow as pa

    from irbc.core.arrow import arrow_schema
    from irbc.core.tables import TableStore
    from irbc.release import views

    n_docs = data.draw(st.integers(1, 3))
    docs = [f"d{i}" for i in range(n_docs)]
    texts = [data.draw(st.none() | st.text(alphabet="ab c.", min_size=0, max_size=30)) for _ in docs]
    sentences = []
    for d, t in zip(docs, texts, strict=True):
        n = len(t or "")
        for j in range(data.draw(st.integers(1, 4))):
            a = data.draw(st.integers(0, n))
            sentences.append({"sentence_id": f"{d}:s{j}", "start": a, "end": data.draw(st.integers(a, n))})
    stances = []
    for i in range(data.draw(st.integers(0, 9))):
        d = data.draw(st.sampled_from(docs))
        pool = [s["sentence_id"] for s in sentences if s["sentence_id"].startswith(d + ":")]
        evidence = [
            {
                "quote": None,
                "start": 0,
                "end": 0,
                "paragraph_id": None,
                "note_id": None,
                "sentence_ids": data.draw(st.lists(st.sampled_from(pool), max_size=4)),
            }
            for _ in range(data.draw(st.integers(0, 3)))
        ]
        holder, annotator = data.draw(st.sampled_from("ab")), data.draw(st.sampled_from(["x", "y"]))
        stances.append(
            {"stance_id": f"st{i}", "doc_id": d, "target_id": "t", "holder": holder, "attribution": "asserted",
             "stance": "favor", "annotator": annotator, "evidence": evidence}
        )  # fmt: skip
    st_schema = arrow_schema("stances")
    fields = [st_schema.field(c) for c in views.STANCE_COLUMNS]  # the columns the view reads
    return TableStore(
        {
            "stances": pa.Table.from_pylist(stances, schema=pa.schema(fields)),
            "sentences": pa.table({k: [s[k] for s in sentences] for k in ("sentence_id", "start", "end")}),
            "documents": pa.table({"doc_id": docs, "text": pa.array(texts, pa.string())}),
        }
    )


@settings(max_examples=300, deadline=None)
@given(st.data(), st.integers(1, 4), st.sampled_from([1, 64, 1 << 20]))
def test_stance_sentences_are_the_spec_s(data: st.DataObject, batch_rows: int, piece_bytes: int) -> None:
    """The columnar ``stance_sentences`` view gives the first-written rows, in the same pieces."""
    from irbc.release import views

    store = _view_store(data)
    old = (views.BATCH_ROWS, views.PIECE_BYTES)
    views.BATCH_ROWS, views.PIECE_BYTES = batch_rows, piece_bytes
    try:
        got = [p.to_pylist() for p in views.STANCE_SENTENCES.pieces(store)]
        want = _stance_sentences_spec(store)
    finally:
        views.BATCH_ROWS, views.PIECE_BYTES = old
    assert got == want  # row dicts compare by key; the column order is the schema's (from_arrays)


def test_stance_sentences_of_the_real_documents_are_the_spec_s(release, monkeypatch) -> None:
    import pyarrow.parquet as pq

    from irbc.core.tables import TableStore
    from irbc.release import views

    names = ("stances", "sentences", "documents")
    store = TableStore(
        {t: pq.read_table(release / "data" / t / "train-00000-of-00001.parquet") for t in names}
    )
    monkeypatch.setattr(views, "BATCH_ROWS", 7)
    want = _stance_sentences_spec(store)
    assert [p.to_pylist() for p in views.STANCE_SENTENCES.pieces(store)] == want
    assert sum(map(len, want)) > 100 and len(want) > 5


# --- the explorer's markup: items side by side are written without the walk over every cut ---


def _markup_case(data: st.DataObject, side_by_side: bool) -> tuple[str, int, int, list, dict]:
    from irbc.release.explorer_markup import Item

    text = data.draw(st.text(alphabet=st.sampled_from(list("ab <&>\"'\n")), min_size=1, max_size=40))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    items = []
    if side_by_side:  # cut points inside the span, every other gap an item (some touching: no gap between)
        cuts = sorted(data.draw(st.lists(st.integers(start, end), max_size=8)))
        pairs = list(zip(cuts[::2], cuts[1::2], strict=False))
    else:
        pairs = [
            (a, a + data.draw(st.integers(0, 10)))
            for a in data.draw(st.lists(st.integers(max(start - 3, 0), end + 3), max_size=6))
        ]
    for k, (a, b) in enumerate(pairs):
        kind = data.draw(st.sampled_from(["m", "co", "ev"] if not side_by_side else ["m", "co"]))
        attrs = (
            ("class", kind),
            ("id", f"x{k}"),
            ("data-v", data.draw(st.sampled_from(['a"b', "c&d", "e"]))),
        )
        items.append(Item(a, b, kind, attrs, tag=data.draw(st.sampled_from(["span", "a", "mark"]))))
    markers = {
        p: [f'<i k="{p}-{j}"></i>' for j in range(data.draw(st.integers(1, 2)))]
        for p in data.draw(st.lists(st.integers(0, len(text)), max_size=5))
    }
    return text, start, end, items, markers


def _walk(text: str, start: int, end: int, items: list, markers: dict) -> str:
    """render_span always taking the walk (the first-written way)."""
    from irbc.release import explorer_markup as em

    todo = sorted(em._split_evidence([i for i in items if i.start < end and i.end > start and i.start < i.end]),
                  key=em._order)  # fmt: skip
    inside = [p for p in markers if start <= p <= end]
    if not todo and not inside:
        return em.esc_text(text[start:end])
    return em._render_walk(text, start, end, todo, inside, markers)


@settings(max_examples=600, deadline=None)
@given(st.data(), st.booleans())
def test_explorer_markup_is_the_walk_s(data: st.DataObject, side_by_side: bool) -> None:
    from irbc.release import explorer_markup as em

    text, start, end, items, markers = _markup_case(data, side_by_side)
    assert em.render_span(text, start, end, items, markers) == _walk(text, start, end, items, markers)
    if side_by_side:
        todo = sorted((i for i in items if i.start < i.end), key=em._order)
        assert em._side_by_side(todo, start, end)


def test_explorer_pages_of_the_real_documents_are_the_walk_s(release, tmp_path, monkeypatch) -> None:
    """Every page of the real release, written again with the walk for every block, is the same bytes; and
    many blocks with markup take the short path."""
    from types import SimpleNamespace

    from irbc.core.tables import TableStore
    from irbc.release import explorer, explorer_doc, explorer_markup, explorer_pool, explorer_rows

    tables = TableStore(folder=release / "data")
    plan = explorer_rows.plan(tables)
    assert plan is not None
    calls = {"flat": 0, "walk": 0}
    flat, walk = explorer_markup._render_flat, explorer_markup._render_walk

    def counted(name, fn):
        def run(*a):
            calls[name] += 1
            return fn(*a)

        return run

    monkeypatch.setattr(explorer_markup, "_render_flat", counted("flat", flat))
    monkeypatch.setattr(explorer_markup, "_render_walk", counted("walk", walk))
    monkeypatch.setattr(explorer_doc, "render_span", lambda *a: _walk(*a[:3], list(a[3]), a[4]))
    (tmp_path / "o").mkdir()
    (tmp_path / "p").mkdir()
    job = explorer_pool.Job(
        out=tmp_path / "o", parts=tmp_path / "p", tables=tables, plan=plan,
        context=explorer._context(SimpleNamespace(tables=tables)),
        prepare=explorer.prepare, render=explorer.render, summary=explorer.summary,
    )  # fmt: skip
    explorer_pool.render_span(job, 0, len(plan.doc_ids))
    pages = sorted((tmp_path / "o").iterdir())
    assert len(pages) == 5 and calls["flat"] == 0 and calls["walk"] > 100
    marked_up = calls["walk"]  # the blocks with anything inside them
    for page in pages:
        assert page.read_bytes() == (release / "explorer" / page.name).read_bytes(), page.name
    monkeypatch.setattr(explorer_doc, "render_span", explorer_markup.render_span)
    explorer_pool.render_span(job, 0, len(plan.doc_ids))
    # each of those blocks took one path or the other, and the short path many of them
    assert calls["flat"] + calls["walk"] - marked_up == marked_up and calls["flat"] > 100
