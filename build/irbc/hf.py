"""Hugging Face features derived from schema/ (closed vocabularies become ClassLabel; lists of objects
become List of structs), and the dataset card's YAML header."""

from __future__ import annotations

from typing import Any

import datasets

from .schema import TABLES, load_schema

_SCALAR = {"string": "string", "integer": "int64", "number": "float64", "boolean": "bool"}


def _feature(prop: dict[str, Any], top_level: bool) -> Any:
    types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    base = next(t for t in types if t != "null")
    if "enum" in prop and top_level:
        return datasets.ClassLabel(names=list(prop["enum"]))
    if base in _SCALAR:
        return datasets.Value(_SCALAR[base])
    if base == "array":
        return datasets.List(_feature(prop["items"], False))
    if base == "object":
        return {k: _feature(v, False) for k, v in prop["properties"].items()}
    raise ValueError(f"no feature for {prop!r}")


def features(table: str) -> datasets.Features:
    return datasets.Features({k: _feature(v, True) for k, v in load_schema(table)["properties"].items()})


def card_yaml(version: str, n_docs: int) -> dict[str, Any]:
    size = "n<1K" if n_docs < 1000 else "1K<n<10K" if n_docs < 10_000 else "10K<n<100K"
    configs = []
    infos = []
    for t in TABLES:
        cfg: dict[str, Any] = {
            "config_name": t,
            "data_files": [{"split": "train", "path": f"data/{t}/train-*.parquet"}],
        }
        if t == "documents":
            cfg["default"] = True
        configs.append(cfg)
        infos.append({"config_name": t, "features": features(t)._to_yaml_list()})
    return {
        "pretty_name": "IR Balancing Corpus",
        "language": ["en"],
        "license": "other",
        "license_name": "irbc-mixed-rights",
        "license_link": "DATASHEET.md",
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition", "multi-class-classification"],
        "size_categories": [size],
        "tags": [
            "international-relations",
            "political-science",
            "balancing",
            "bandwagoning",
            "hedging",
            "china-russia",
            "stance-detection",
            "concept-annotation",
            "stand-off-annotation",
        ],
        "configs": configs,
        "dataset_info": infos,
        "version": version,
    }
