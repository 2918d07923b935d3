"""Hugging Face features derived from schema/ (closed vocabularies become ClassLabel; lists of objects become
List of structs), and the dataset card's YAML header (metadata from the corpus description's ``hub`` block; one
config per table and per derived view, with split sizes read from the release's Parquet files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import datasets

from irbc.core.schema import TABLES, FieldType, table_fields
from irbc.release.citation import LICENSE_FILE
from irbc.release.views import VIEWS

_SCALAR = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}


def _feature(ft: FieldType, top_level: bool) -> Any:
    if ft.enum is not None and top_level:
        return datasets.ClassLabel(names=list(ft.enum))
    if ft.base in _SCALAR:
        return datasets.Value(_SCALAR[ft.base])
    if ft.items is not None:
        return datasets.List(_feature(ft.items, False))
    assert ft.properties is not None
    return {k: _feature(v, False) for k, v in ft.properties.items()}


def features(table: str) -> datasets.Features:
    return datasets.Features({k: _feature(v, True) for k, v in table_fields(table).items()})


# The Hub's size buckets (hub-docs datasetcard.md): each holds rows below 1000 * 10**i
_SIZES = (
    "n<1K",
    "1K<n<10K",
    "10K<n<100K",
    "100K<n<1M",
    "1M<n<10M",
    "10M<n<100M",
    "100M<n<1B",
    "1B<n<10B",
    "10B<n<100B",
    "100B<n<1T",
)


def size_category(rows: int) -> str:
    return next((label for i, label in enumerate(_SIZES) if rows < 1000 * 10**i), "n>1T")


def configs() -> list[tuple[str, str]]:
    """(config name, the schema its rows have): one per table, then one per derived view (release.views)."""
    return [(t, t) for t in TABLES] + [(v.name, v.schema) for v in VIEWS]


def split_sizes(release: Path, config: str) -> dict[str, int]:
    """A config's one split, from its Parquet files: rows, ``num_bytes`` (the uncompressed size of its data, as
    the Parquet footers record it: the sum of the row groups' total_byte_size) and ``download_size`` (the bytes of
    the files). Deterministic: the files are."""
    import pyarrow.parquet as pq

    rows = num_bytes = download = 0
    for path in sorted((release / "data" / config).glob("train-*.parquet")):
        meta = pq.ParquetFile(path).metadata
        rows += meta.num_rows
        num_bytes += sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        download += path.stat().st_size
    return {"num_examples": rows, "num_bytes": num_bytes, "download_size": download}


def _config_entries(release: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    configs_, infos, largest = [], [], 0
    for name, t in configs():
        cfg: dict[str, Any] = {
            "config_name": name,
            "data_files": [{"split": "train", "path": f"data/{name}/train-*.parquet"}],
        }
        if name == TABLES[0]:
            cfg["default"] = True
        configs_.append(cfg)
        size = split_sizes(release, name)
        largest = max(largest, size["num_examples"])
        infos.append(
            {
                "config_name": name,
                "features": features(t)._to_yaml_list(),
                "splits": [
                    {"name": "train", "num_bytes": size["num_bytes"], "num_examples": size["num_examples"]}
                ],
                "download_size": size["download_size"],
                "dataset_size": size["num_bytes"],
            }
        )
    return configs_, infos, largest


def card_yaml(desc: dict[str, Any], version: str, release: Path) -> dict[str, Any]:
    """The card's YAML header. ``release``: the folder whose data/ files it describes (sizes and row counts).
    Task categories and ids are the corpus description's (``hub`` block; why those, see corpus/dataset.yaml);
    ``multilinguality`` follows from the number of languages."""
    configs_, infos, largest = _config_entries(release)
    hub = desc["hub"]
    return {
        "pretty_name": desc["name"],
        "language": list(hub["language"]),
        "multilinguality": ["monolingual" if len(hub["language"]) == 1 else "multilingual"],
        "license": hub["license"],
        "license_name": hub["license_name"],
        "license_link": LICENSE_FILE,  # the release's LICENSE: the project's licence and the texts' rights
        "annotations_creators": list(hub["annotations_creators"]),
        "language_creators": list(hub["language_creators"]),
        "source_datasets": list(hub["source_datasets"]),
        "task_categories": list(hub["task_categories"]),
        "task_ids": list(hub["task_ids"]),
        "size_categories": [size_category(largest)],  # of the largest table
        "tags": list(hub["tags"]),
        "configs": configs_,
        "dataset_info": infos,
        "version": version,
    }
