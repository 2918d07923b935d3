"""Hugging Face features derived from schema/ (closed vocabularies become ClassLabel; lists of objects become
List of structs), and the dataset card's YAML header (metadata from the corpus description's ``hub`` block)."""

from __future__ import annotations

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


def card_yaml(desc: dict[str, Any], version: str, n_docs: int) -> dict[str, Any]:
    size = "n<1K" if n_docs < 1000 else "1K<n<10K" if n_docs < 10_000 else "10K<n<100K"
    configs = []
    infos = []
    # one config per table, then one per derived view (release.views), which has its table's features
    for name, t in [(t, t) for t in TABLES] + [(v.name, v.table) for v in VIEWS]:
        cfg: dict[str, Any] = {
            "config_name": name,
            "data_files": [{"split": "train", "path": f"data/{name}/train-*.parquet"}],
        }
        if name == TABLES[0]:
            cfg["default"] = True
        configs.append(cfg)
        infos.append({"config_name": name, "features": features(t)._to_yaml_list()})
    hub = desc["hub"]
    return {
        "pretty_name": desc["name"],
        "language": list(hub["language"]),
        "license": hub["license"],
        "license_name": hub["license_name"],
        "license_link": LICENSE_FILE,  # the release's LICENSE: the project's licence and the texts' rights
        "task_categories": list(hub["task_categories"]),
        "task_ids": list(hub["task_ids"]),
        "size_categories": [size],
        "tags": list(hub["tags"]),
        "configs": configs,
        "dataset_info": infos,
        "version": version,
    }
