"""Croissant metadata (croissant.json) for the release, generated with mlcroissant from schema/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from irbc import DATASET_VERSION
from irbc.core.io import sha256_file
from irbc.core.schema import TABLES, FieldType, load_schema, table_fields
from irbc.core.tables import table_path
from irbc.release.citation import citation_bibtex
from irbc.release.exporters import ExportContext, exporter

_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "FLOAT", "boolean": "BOOL"}


def _field(mlc: Any, table: str, name: str, ft: FieldType, file_id: str, path: str) -> Any:
    fid = f"{table}/{path}"
    src = mlc.Source(file_object=file_id, extract=mlc.Extract(column=path.split("/")[0]))
    if ft.items is not None:
        if ft.items.properties is not None:
            subs = [_field(mlc, table, k, v, file_id, f"{path}/{k}") for k, v in ft.items.properties.items()]
            return mlc.Field(
                id=fid, name=name, description=ft.description, repeated=True, sub_fields=subs, source=src
            )
        return mlc.Field(
            id=fid,
            name=name,
            description=ft.description,
            repeated=True,
            data_types=[getattr(mlc.DataType, _TYPES[ft.items.base])],
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
        description=ft.description,
        data_types=[getattr(mlc.DataType, _TYPES[ft.base])],
        source=src,
    )


def croissant(release: Path, desc: dict[str, Any], version: str) -> dict[str, Any]:
    import mlcroissant as mlc

    files, sets = [], []
    for t in TABLES:
        rel = str(table_path(Path("data"), t))
        fid = f"{t}-parquet"
        files.append(
            mlc.FileObject(
                id=fid,
                name=fid,
                content_url=rel,
                encoding_formats=["application/x-parquet"],
                sha256=sha256_file(release / rel),
            )
        )
        fields = [_field(mlc, t, k, v, fid, k) for k, v in table_fields(t).items()]
        sets.append(mlc.RecordSet(id=t, name=t, description=load_schema(t)["description"], fields=fields))
    md = mlc.Metadata(
        name=desc["name"],
        description=desc["summary"],
        license=list(desc["hub"]["croissant_license"]),
        url=desc["hub"]["croissant_url"],  # no canonical home yet; replaced on publication
        version=version,
        cite_as=citation_bibtex(desc, version),
        distribution=files,
        record_sets=sets,
    )
    out: dict[str, Any] = md.to_json()
    return out


@exporter("croissant_v1", "croissant.json")
def write_croissant(release: Path, ctx: ExportContext) -> None:
    data = croissant(release, ctx.result.description, DATASET_VERSION)
    (release / "croissant.json").write_text(
        json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
