"""What ``irbc build`` forks first thing, before the CLI imports the build's modules: the processes whose start-up
can run while the documents are built."""

from __future__ import annotations

import argparse
from typing import Any


def early_processes(args: argparse.Namespace) -> list[Any]:
    """A ``build`` forks first thing, before this process imports the build's modules, the processes whose
    start-up can run while it builds the documents: the gate (irbc.gate.expectations.GateProcess:
    great-expectations, single-process builds only) and the background exporters' helper
    (irbc.release.exporters.ExportHelper: matplotlib). Stored on ``args`` for build_release, which closes them
    (closed here too, whatever happened); none for any other command."""
    if args.cmd != "build":
        return []
    out: list[Any] = []
    if args.workers == 1 and args.executor == "local":
        from irbc.gate.expectations import GateProcess  # a light import: the gate is forked before pyarrow

        args.gate = GateProcess()
        out.append(args.gate)
    from irbc.release.exporters import ExportHelper  # imports pyarrow, which this process needs anyway

    args.helper = ExportHelper()
    return [*out, args.helper]
