"""The dataset card (README.md of the release) and DATASHEET.md, with every count computed from the built
tables and every field table derived from schema/ (never typed by hand)."""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

import yaml

from . import DATASET_VERSION
from .hf import card_yaml
from .schema import TABLES, field_table, load_schema

if TYPE_CHECKING:
    from .pipeline import BuildResult

REPO_HINT = "the project repository"


def _md_table(head: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        out.append("| " + " | ".join(str(x).replace("|", "\\|").replace("\n", " ") for x in r) + " |")
    return "\n".join(out)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _counts(tbl: Any, keys: list[str], weight: Any = None) -> Counter[Any]:
    """Row counts (or sums of ``weight``) per value of ``keys``, computed on the Arrow table."""
    if weight is not None:
        tbl = tbl.select(keys).append_column("_w", weight)
        agg = tbl.group_by(keys).aggregate([("_w", "sum")])
        vals = agg["_w_sum"].to_pylist()
    else:
        agg = tbl.select(keys).group_by(keys).aggregate([([], "count_all")])
        vals = agg["count_all"].to_pylist()
    cols = [agg[k].to_pylist() for k in keys]
    out: Counter[Any] = Counter()
    for key, v in zip(zip(*cols, strict=True), vals, strict=True):
        out[key if len(keys) > 1 else key[0]] = v
    return out


def doc_rows(result: BuildResult) -> list[dict[str, Any]]:
    """The documents table as dicts, without the text column (documentation needs only the metadata)."""
    cols = [c for c in load_schema("documents")["properties"] if c != "text"]
    rows: list[dict[str, Any]] = result.tables.read("documents", cols).to_pylist()
    return rows


def first_row(result: BuildResult, table: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = result.tables.head(table, 1).to_pylist()
    return rows[0] if rows else {}


def stats(result: BuildResult) -> dict[str, Any]:
    """Counts for the card and the DATASHEET, computed once per build result (a pass over the whole text)."""
    if "stats" not in result.derived:
        result.derived["stats"] = _stats(result)
    out: dict[str, Any] = result.derived["stats"]
    return out


def _stats(result: BuildResult) -> dict[str, Any]:
    import pyarrow.compute as pc

    t = result.tables
    removed = t.read("removed", ["action", "reason", "raw_start", "raw_end"])
    words: dict[str, Any] = {}
    for piece in t.slices("documents", 32 << 20):  # the text is read a piece at a time
        batch = t.read_slice("documents", piece).select(["doc_id", "text"])
        for d, text in zip(batch["doc_id"].to_pylist(), batch["text"].to_pylist(), strict=True):
            words[d] = len(text.split()) if text is not None else "withheld"
    mentions = t.read("concept_mentions", ["annotator", "concept_id"])
    curated = mentions.filter(pc.equal(mentions["annotator"], "curated_v1"))
    return {
        "n_docs": t.num_rows("documents"),
        "words": words,
        "rows": {k: t.num_rows(k) for k in TABLES},
        "by_reason": _counts(removed, ["action", "reason"]),
        "chars_by_reason": _counts(
            removed, ["action", "reason"], pc.subtract(removed["raw_end"], removed["raw_start"])
        ),
        "actions": _counts(removed, ["action"]),
        "mentions_by_annotator": _counts(mentions, ["annotator"]),
        "curated_by_concept": _counts(curated, ["concept_id"]),
        "stance_labels": _counts(t.read("stances", ["attribution", "stance"]), ["attribution", "stance"]),
        "diagnostics": Counter(d["code"] for d in result.diagnostics),
    }


def _doc_table(result: BuildResult, st: dict[str, Any]) -> str:
    rows = []
    per = {d["doc_id"]: d for d in result.summary["documents"]}
    for d in doc_rows(result):
        s = per[d["doc_id"]]
        rows.append(
            [
                d["doc_id"],
                d["genre"],
                "; ".join(d["authors"]) or "— (not stated)",
                d["date"] or "— (not stated)",
                st["words"][d["doc_id"]],
                s["sections"],
                s["paragraphs"],
                s["notes"],
                s["callouts_linked"],
                s["chars_raw"],
                s["chars_removed"],
            ]
        )
    return _md_table(
        [
            "doc_id",
            "genre",
            "authors",
            "date",
            "words",
            "sections",
            "paragraphs",
            "notes",
            "callouts linked",
            "raw chars",
            "chars removed",
        ],
        rows,
    )


def _removed_table(st: dict[str, Any]) -> str:
    rows = [[a, r, n, st["chars_by_reason"][(a, r)]] for (a, r), n in sorted(st["by_reason"].items())]
    return _md_table(["action", "reason (rule id or normalisation)", "spans", "raw chars"], rows)


def _scores_table(result: BuildResult) -> str:
    sc = result.scores
    if not sc:
        return "No curated mention review was present in this build, so no figures are reported."
    o = sc["overall"]
    lines = [
        f"Overall, over the main-text paragraphs of {len(sc['documents'])} reviewed documents "
        f"(exact span and concept match): precision **{_pct(o['precision'])}**, recall **{_pct(o['recall'])}**, "
        f"F1 **{_pct(o['f1'])}** (TP {o['tp']}, FP {o['fp']}, FN {o['fn']}).",
        "",
    ]
    rows = [
        [c, v["tp"], v["fp"], v["fn"], _pct(v["precision"]), _pct(v["recall"])]
        for c, v in sc["per_concept"].items()
    ]
    lines.append(_md_table(["concept", "TP", "FP", "FN", "precision", "recall"], rows))
    return "\n".join(lines)


def _fields(table: str) -> str:
    rows = [
        [f"`{n}`", typ, "yes" if nullable else "no", desc] for n, typ, desc, nullable in field_table(table)
    ]
    return _md_table(["field", "type", "nullable", "description"], rows)


def _rights_table(result: BuildResult) -> str:
    rows = []
    for d in doc_rows(result):
        rows.append([d["doc_id"], d["rights"] or "none stated in the scrape", d["venue"] or d["site"]])
    return _md_table(["doc_id", "rights statement in the source", "venue / site"], rows)


def _agreement_text(result: BuildResult) -> str:
    ag = result.summary.get("agreement", {}).get("stances")
    if not ag:
        return "No inter-annotator agreement was measured: each file had one annotator. This is a limitation."
    kappa = "undefined" if ag["cohen_kappa"] is None else f"{ag['cohen_kappa']:.3f}"
    first, second = ag["annotators"]
    rows = [[x] + [ag["confusion"][x][y] for y in ag["confusion"][x]] for x in ag["confusion"]]
    head = [f"{first} (rows) / {second} (columns)", *ag["confusion"]]
    return (
        f"**Agreement.** An independent second annotator (`{second}`), blind to the curated files, labelled the "
        f"author stance of {ag['items']} document × target pairs "
        f"(`corpus/annotations/agreement/stances_second_pass.yaml`). Observed agreement with `{first}`: "
        f"**{ag['observed_agreement']:.3f}**; Cohen's κ: **{kappa}**. The released stances are the `{first}` labels; "
        f"the {len(ag['disagreements'])} disagreements are listed in `build_summary.json`. Reported-holder rows and "
        "evidence spans had one annotator. Confusion matrix (rows: first annotator):\n\n"
        + _md_table(head, rows)
    )


def citation_bibtex(version: str) -> str:
    return (
        "@misc{irbc_" + version.replace(".", "_") + ",\n"
        "  title        = {{IR Balancing Corpus: an annotated dataset of international-relations writing on "
        "balancing, bandwagoning, hedging and China--Russia alignment}},\n"
        "  author       = {{IR Balancing Corpus contributors}},\n"
        f"  version      = {{{version}}},\n"
        "  year         = {2026},\n"
        "  note         = {Hugging Face dataset folder built by the irbc package; no DOI has been assigned}\n"
        "}"
    )


def citation_cff(version: str) -> str:
    data = {
        "cff-version": "1.2.0",
        "message": "If you use this dataset, please cite it as below.",
        "type": "dataset",
        "title": "IR Balancing Corpus",
        "abstract": "An annotated research dataset of international-relations writing on balancing, bandwagoning, "
        "hedging and the China–Russia alignment debate.",
        "authors": [{"name": "IR Balancing Corpus contributors"}],
        "version": version,
        "keywords": [
            "international relations",
            "balancing",
            "bandwagoning",
            "hedging",
            "China–Russia relations",
        ],
    }
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def dataset_card(result: BuildResult, report_json: dict[str, Any]) -> str:
    st = stats(result)
    header = yaml.safe_dump(card_yaml(DATASET_VERSION, st["n_docs"]), sort_keys=False, allow_unicode=True)
    examples = []
    for t in TABLES:
        row = first_row(result, t)
        short = {k: (v[:120] + "…" if isinstance(v, str) and len(v) > 120 else v) for k, v in row.items()}
        if isinstance(short.get("evidence"), list):
            short["evidence"] = short["evidence"][:1]
        if isinstance(short.get("callouts"), list):
            short["callouts"] = short["callouts"][:2]
        examples.append(
            f"### `{t}`\n\n{load_schema(t)['description']} Rows: {st['rows'][t]}.\n\n{_fields(t)}\n\n"
            f"Example row:\n\n```json\n{json.dumps(short, ensure_ascii=False, indent=1)}\n```\n"
        )
    o = (result.scores or {}).get("overall", {})
    genres = ", ".join(
        f"{n} {g.replace('_', ' ')}" for g, n in sorted(Counter(d["genre"] for d in doc_rows(result)).items())
    )
    return f"""---
{header}---

# IR Balancing Corpus (version {DATASET_VERSION})

An annotated research dataset of international-relations (IR) writing on balancing, bandwagoning, hedging and the
China–Russia alignment debate: {st["n_docs"]} documents ({genres}), cleaned with a full
audit, split into sections, paragraphs and notes, and annotated with IR concept mentions (stand-off, tied to a
versioned codebook) and curated stances with verbatim evidence.

## Loading

```python
from datasets import load_dataset

docs = load_dataset("path/or/hub-id", "documents", split="train")        # the default config
stances = load_dataset("path/or/hub-id", "stances", split="train")       # any config below
one = load_dataset("parquet", data_files="data/notes/train-00000-of-00001.parquet", split="train")
```

```python
import pandas as pd
paragraphs = pd.read_parquet("data/paragraphs/train-00000-of-00001.parquet")
```

```python
import duckdb
duckdb.sql("select doc_id, count(*) from 'data/concept_mentions/*.parquet' group by doc_id")
```

```python
import polars as pl
notes = pl.read_parquet("data/notes/train-00000-of-00001.parquet")
```

Every config has one split, `train`: a corpus of {st["n_docs"]} documents has no held-out split, and none is
implied. Offsets (`start`, `end`) are character offsets into `documents.text` (the clean text) and
`text[start:end]` always equals the stored span text; `raw_start`/`raw_end` are character offsets into the raw
file decoded as UTF-8.

## Structure

{st["rows"]["documents"]} documents, {st["rows"]["sections"]} sections, {st["rows"]["paragraphs"]} paragraphs,
{st["rows"]["notes"]} notes, {st["rows"]["removed"]} audit spans, {st["rows"]["concepts"]} concepts,
{st["rows"]["concept_mentions"]} concept mentions, {st["rows"]["stance_targets"]} stance targets,
{st["rows"]["stances"]} stances. Field tables are generated from the JSON Schemas in `schema/`.

{chr(10).join(examples)}
## How the data was made

- **Cleaning.** Declared rules (`corpus/rules.yaml`: id, detector, pattern, reason, scope) remove scraping noise
  and move paratext (bylines, dates, keywords, citation lines, biographies, ethics statements) to document
  metadata; whitespace and Unicode are normalised; typography is kept. Every change is a row of `removed`; kept
  plus removed spans rebuild each raw file exactly (checked by SHA-256 at validation). Counts by reason are in the
  DATASHEET.
- **Splitting.** Headings from the text's own signals; notes (endnotes, bracketed notes, reference entries) with
  their in-text callouts linked.
- **Annotation.** `lexicon_v1` (Aho–Corasick over the codebook's surface forms, case-insensitive, word-bounded,
  longest match first) tags every paragraph and note; `curated_v1` is a reviewed layer over the main text of all
  documents (every automatic mention accepted or rejected, missed mentions added). Measured against it, the tagger
  has precision {_pct(o.get("precision"))} and recall {_pct(o.get("recall"))}. Stances are curated for every
  document × target pair, with reported positions of named sources.
- **Validation.** {report_json["n_checks"]} checks (jsonschema on every record, great-expectations suites per table,
  cross-table integrity, manifest checksums) passed; see `validation_report.html`.

## Intended uses

Teaching and research on IR concepts and arguments: concept-usage counts, close reading with traceable evidence,
testing concept taggers and stance classifiers on a small gold set, and studying how scraped scholarly text is
cleaned.

## Out-of-scope uses

Statistical claims about the IR literature (five documents are not a sample of it); training large models on the
texts (the texts are third-party copyrighted works; see Licensing); attributing views to people beyond what the
quoted evidence shows.

## Limitations and biases

Five English texts chosen by the project, of very uneven genre and scholarly weight (a peer-reviewed article whose
body is paywalled and missing, an encyclopedia entry, two blog essays and a self-published essay). The Springer
preview contains only the abstract and the 67 endnotes, so its notes have no callouts. Curation was done by one
annotation team with pre-filled review files (see the DATASHEET). Metadata the sources do not state (for example the
encyclopedia entry's author and the blog essay's date) is null.

## Licensing

The annotations, codebook and code are the project's work. The texts remain the works of their authors and
publishers; the release reproduces them for research under the rights statements listed in the DATASHEET, which
discusses redistribution per document. `license: other` reflects that mix.

## Citation

```bibtex
{citation_bibtex(DATASET_VERSION)}
```
"""


def datasheet(result: BuildResult, report_json: dict[str, Any]) -> str:
    st = stats(result)
    removed_noise = sum(n for (a, _), n in st["by_reason"].items() if a == "remove")
    moved = sum(n for (a, _), n in st["by_reason"].items() if a == "metadata")
    normalised = sum(n for (a, _), n in st["by_reason"].items() if a == "normalize")
    stance_rows = [[a, s, n] for (a, s), n in sorted(st["stance_labels"].items())]
    diag_rows = [[c, n] for c, n in sorted(st["diagnostics"].items())]
    null_meta = []
    for d in doc_rows(result):
        missing = [k for k in ("authors", "date", "venue", "publisher", "doi", "url", "rights") if not d[k]]
        null_meta.append([d["doc_id"], ", ".join(missing) or "—"])
    notes_by_doc = {x["doc_id"]: x.get("notes", "") for x in result.config.get("sources", [])}
    orphan: dict[str, list[str]] = {}
    for dg in result.diagnostics:
        if dg["code"] == "callout_without_note":
            orphan.setdefault(dg["doc_id"], []).append(dg["message"])
    missing_rows = []
    for d in result.summary["documents"]:
        found = []
        if d["notes_without_callout"]:
            found.append(f"{d['notes_without_callout']} of {d['notes']} notes have no callout in the text")
        found += orphan.get(d["doc_id"], [])
        missing_rows.append([d["doc_id"], notes_by_doc.get(d["doc_id"]) or "—", "; ".join(found) or "—"])
    missing_table = _md_table(
        ["doc_id", "recorded in the sources manifest", "found by the build"], missing_rows
    )
    field_sections = "\n\n".join(f"#### `{t}`\n\n{_fields(t)}" for t in TABLES)
    return f"""# DATASHEET: IR Balancing Corpus (version {DATASET_VERSION})

Answers to the "Datasheets for Datasets" questions (Gebru et al.), followed by a data statement (Bender &
Friedman). Every count below is computed from the built tables by `irbc build`; nothing is typed by hand. The
repository's top-level `DATASHEET.md` is this same document.

## Motivation

- **For what purpose was the dataset created? Was there a specific task or gap?** To give IR scholars and
  computational social scientists a small, fully traceable corpus on balancing, bandwagoning, hedging and the
  China–Russia alignment debate: concept mentions tied to a versioned codebook, and stances (who holds which
  position on which proposition) backed by verbatim evidence. The gap: scraped scholarly text is usually cleaned
  silently; here every removed character is accounted for.
- **Who created the dataset and on behalf of which entity?** The IR Balancing Corpus project.
- **Who funded the creation of the dataset?** No funding is stated.

## Composition

- **What do the instances represent?** Documents (scraped web texts) and the units derived from them: sections,
  paragraphs, notes, audit spans, concept mentions and stances, plus the codebook's concepts and the stance targets.
- **How many instances are there in total?** {st["rows"]["documents"]} documents; {st["rows"]["sections"]} sections;
  {st["rows"]["paragraphs"]} paragraphs; {st["rows"]["notes"]} notes; {st["rows"]["removed"]} audit spans;
  {st["rows"]["concepts"]} concepts; {st["rows"]["concept_mentions"]} concept mentions
  ({st["mentions_by_annotator"]["lexicon_v1"]} by `lexicon_v1`, {st["mentions_by_annotator"]["curated_v1"]} by
  `curated_v1`); {st["rows"]["stance_targets"]} stance targets; {st["rows"]["stances"]} stances.

{_doc_table(result, st)}

- **Does the dataset contain all possible instances or is it a sample?** A purposive sample of {st["n_docs"]} texts chosen by
  the project to span genres (journal article, reference work, blogs, essay) and positions in the debate. It is not
  representative of the IR literature and supports no claim about it.
- **What data does each instance consist of?** Clean text with stand-off structure and annotations; the field
  tables below list every column.
- **Is there a label or target associated with each instance?** Concept ids on mentions; stance labels
  (`favor`/`against`/`neutral`/`none`) on stances.
- **Is any information missing from individual instances?** Yes. What the sources manifest records about each
  scrape, and what the build found (notes without callouts, callouts without notes):

{missing_table}

  Metadata the text does not state is null, never guessed:

{_md_table(["doc_id", "metadata fields that are null (not stated in the source)"], null_meta)}

- **Are relationships between instances made explicit?** Yes: every row carries `doc_id`; sections, paragraphs,
  notes and mentions are linked by ids; callouts link paragraphs to notes; offsets tie everything to
  `documents.text`; stances carry `target_id`.
- **Are there recommended data splits?** No. Every config has a single `train` split holding everything; a corpus
  of {st["n_docs"]} documents has no meaningful held-out split.
- **Are there any errors, sources of noise, or redundancies?** Scraping errors that survive cleaning are kept as
  written (for example "Russian will balance China" in Ross's abstract, typos in the essays, a URL fragment in an LSE
  note). The build reports these structural diagnostics:

{_md_table(["code", "count"], diag_rows) if diag_rows else "None."}

- **Is the dataset self-contained?** Yes for the full release. A stand-off release (`--text-policy standoff`) omits
  the texts and needs the user's own copy of the raw files (`irbc rehydrate`, checked by SHA-256).
- **Does the dataset contain confidential data?** No. **Offensive or anxiety-inducing content?** No; the texts
  discuss war and military policy in an academic register.
- **Does the dataset relate to people?** Only as authors and as the scholars and officials whose published views the
  texts report. Stance rows attribute positions to named people exactly as the texts do, with the quote. No
  sub-populations are identified and no one can be identified beyond their published names and biographies.

### Fields (generated from `schema/`)

{field_sections}

## Collection process

- **How was the data acquired?** The five texts were scraped from public web pages (a Springer article page, two
  blogs, an Oxford Research Encyclopedia page, a Medium page) and are kept byte-for-byte in `corpus/raw/`; their
  SHA-256s are in `corpus/sources.yaml` and in every release's `manifest.json`.
- **What mechanisms or procedures were used?** A web scraper whose name and settings were not recorded with the
  files; what it left (navigation, counters, alt text) is documented by the cleaning rules.
- **Sampling strategy?** Purposive (see Composition).
- **Who was involved and how were they compensated?** The project's members; no compensation is recorded.
- **Over what timeframe?** Not recorded. URLs and retrieval dates were not kept with the scrapes and are null. The
  only date a page states about itself besides publication dates is the encyclopedia's print date
  (`printed_date`).
- **Were any ethical review processes conducted?** None is recorded. **Were individuals notified or did they
  consent?** The texts are published works; their authors were not contacted. **Data protection impact analysis?**
  None recorded.

## Preprocessing, cleaning and labelling

**Cleaning.** {removed_noise} spans of scraping noise were removed and {moved} spans of paratext were moved to
document metadata; {normalised} normalisations (whitespace, list markers, note labels, Unicode) were recorded. Every
audit span is a row of the `removed` table; the counts below are computed from it:

{_removed_table(st)}

**Was the raw data saved?** Yes, in `corpus/raw/`, and the audit lets anyone check the cleaning: kept plus audit
spans rebuild every raw file, and the validator checks this by SHA-256. **Is the software available?** Yes, the
`irbc` package in this repository.

**Annotation.** Concept mentions follow `schema/GUIDELINES.md` and the codebook `schema/codebook.yaml`
(version {first_row(result, "concepts").get("codebook_version", "n/a")}).
`lexicon_v1` is automatic. `curated_v1` was produced by the project's annotators, who read each text in full with
the guidelines, reviewed every automatic mention in the main text of each document (each accepted or rejected, with
relabels and comments) and added the mentions the tagger missed. The review files start from the tagger's output
with every decision pre-set to accept, which can bias a reviewer towards acceptance. Notes and reference entries
carry automatic mentions only. The tagger's measured agreement with the curated layer:

{_scores_table(result)}

**Stances.** For every document × target pair, the author's stance (`favor`, `against`, `neutral`, `none`) and,
where a document reports a named source's position, a row for that holder, each with verbatim evidence resolved to
offsets and a one-sentence rationale (annotator `curated_v1`). Label counts:

{_md_table(["attribution", "stance", "rows"], stance_rows)}

{_agreement_text(result)}

## Uses

- **Has the dataset been used for any tasks already?** Not outside this project at the time of this version.
- **Is there a repository that links to papers using it?** Not yet.
- **What other tasks could it be used for?** Concept-usage analysis, close reading with traceable evidence,
  evaluating concept taggers and stance classifiers on a small gold set, teaching, and studying the cleaning of
  scraped scholarly text.
- **Is there anything about the composition or collection that might affect future uses?** Five texts of very
  uneven genre and weight; one is a preview without its body. Results on it do not generalise to the literature.
- **Are there tasks for which it should not be used?** Claims about the IR field at large; attributing views to
  people beyond what the quoted evidence shows; redistributing the texts beyond what their rights allow; training
  generative models on the texts.

## Distribution and rights

- **Will the dataset be distributed to third parties, and how?** As a Hugging Face dataset folder (Parquet, dataset
  card, Croissant metadata), published with `irbc publish` once a home is chosen; no DOI has been assigned.
- **Under what licence?** The annotations, codebook and code are the project's work. The texts belong to their
  authors and publishers. Rights statements found in the sources:

{_rights_table(result)}

No document states an open licence. The Oxford Research Encyclopedia page states "Personal use only; commercial use
is strictly prohibited". The Springer page is a publisher preview of a subscription article. The blogs and the
Medium essay state no licence (the LSE page's Creative Commons lines concern its images, which are not in the
corpus). Redistributing the full texts is therefore not clearly permitted for any document, and `corpus/sources.yaml`
marks every document `redistribution: withhold`. Publish a full-text release only where you have the right to;
otherwise publish the stand-off release (`irbc build --text-policy standoff`: texts withheld, every offset,
annotation and the SHA-256 of each withheld text kept) and let users rehydrate it from their own copies.
- **Have third parties imposed restrictions?** Only the publishers' rights statements above. **Export controls?**
  None known.

## Maintenance

- **Who supports and maintains the dataset?** The IR Balancing Corpus project, in {REPO_HINT}.
- **How can the maintainers be contacted?** Through the repository's issue tracker.
- **Is there an erratum?** Not yet; corrections are recorded in the repository history and release notes.
- **Will the dataset be updated?** Yes, with semantic versioning (dataset `{DATASET_VERSION}`; the codebook has its
  own version); every release carries `manifest.json` with the input hashes and the git commit it was built from.
- **Will older versions continue to be supported?** Older versions stay reproducible from their git tags
  (byte-identical rebuilds).
- **How can others contribute?** Add raw texts with a `corpus/sources.yaml` entry (and rules or profiles where a new
  site needs them), curated files under `corpus/annotations/`, and open a pull request; `irbc build` validates
  everything and refuses what fails.

## Data statement

- **Curation rationale.** Texts that argue about balancing, bandwagoning, hedging and China–Russia alignment,
  across genres (peer-reviewed article, reference work, blogs, essay), so that concept use and stance can be
  compared across registers.
- **Language variety.** English (`en`); academic and policy-blog registers; some texts contain non-standard
  English and typos, kept as written.
- **Text characteristics.** Argumentative IR prose with notes and references; paratext removed as described above.
- **Annotator description.** Project annotators working from the written guidelines, reading each text in full;
  no demographic information is recorded.
- **Provenance.** Raw files and SHA-256s in `manifest.json` (`provenance.inputs`); validation:
  {report_json["n_checks"]} checks passed (`validation_report.html`).
"""
