"""Croissant metadata (croissant.json) for the release, generated with mlcroissant from schema/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .io import sha256_file
from .schema import TABLES, load_schema

_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "FLOAT", "boolean": "BOOL"}


def _base(prop: dict[str, Any]) -> str:
    types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    return next(t for t in types if t != "null")


def _field(mlc: Any, table: str, name: str, prop: dict[str, Any], file_id: str, path: str) -> Any:
    base = _base(prop)
    fid = f"{table}/{path}"
    src = mlc.Source(file_object=file_id, extract=mlc.Extract(column=path.split("/")[0]))
    if base == "array":
        item = prop["items"]
        if _base(item) == "object":
            subs = [_field(mlc, table, k, v, file_id, f"{path}/{k}") for k, v in item["properties"].items()]
            return mlc.Field(
                id=fid,
                name=name,
                description=prop.get("description", ""),
                repeated=True,
                sub_fields=subs,
                source=src,
            )
        return mlc.Field(
            id=fid,
            name=name,
            description=prop.get("description", ""),
            repeated=True,
            data_types=[getattr(mlc.DataType, _TYPES[_base(item)])],
            source=src,
        )
    if "/" in path:  # a sub-field of a struct inside a list
        src = mlc.Source(
            file_object=file_id,
            extract=mlc.Extract(column=path.split("/")[0]),
            transforms=[mlc.Transform(json_path=path.split("/")[-1])],
        )
    return mlc.Field(
        id=fid,
        name=name,
        description=prop.get("description", ""),
        data_types=[getattr(mlc.DataType, _TYPES[base])],
        source=src,
    )


def croissant(release: Path, version: str, citation: str) -> dict[str, Any]:
    import mlcroissant as mlc

    files, sets = [], []
    for t in TABLES:
        rel = f"data/{t}/train-00000-of-00001.parquet"
        sha = sha256_file(release / rel)
        fid = f"{t}-parquet"
        files.append(
            mlc.FileObject(
                id=fid, name=fid, content_url=rel, encoding_formats=["application/x-parquet"], sha256=sha
            )
        )
        schema = load_schema(t)
        fields = [_field(mlc, t, k, v, fid, k) for k, v in schema["properties"].items()]
        sets.append(mlc.RecordSet(id=t, name=t, description=schema["description"], fields=fields))
    md = mlc.Metadata(
        name="IR Balancing Corpus",
        description="An annotated research dataset of international-relations writing on balancing, bandwagoning, "
        "hedging and the China–Russia alignment debate.",
        license=["other"],
        url="https://huggingface.co/datasets",  # no canonical home yet; replaced on publication
        version=version,
        cite_as=citation,
        distribution=files,
        record_sets=sets,
    )
    return md.to_json()


def write_croissant(release: Path, version: str, citation: str) -> None:
    data = croissant(release, version, citation)
    (release / "croissant.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
