"""``stromalab protocol``: protocol folders.

``import-ctgov RECORD.json [--out DIR]`` makes a new protocol folder ``DIR/<NCT id>/`` from a
ClinicalTrials.gov API v2 study record: the record as ``study.json`` and a drafted
``eligibility.yaml`` (contract: docs/contracts/ctgov-import.md). The folder is written in a
temporary folder beside it, loaded as ``stromalab screen`` will load it, and only then renamed
into place: a malformed record or an existing folder exits 2 with one line and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

PROG = "stromalab protocol import-ctgov"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    ctgov = actions.add_parser(
        "import-ctgov", help="a new protocol folder from a ClinicalTrials.gov API v2 study record")
    ctgov.add_argument("record", metavar="RECORD.json", help="the record as the API returns it")
    ctgov.add_argument("--out", metavar="DIR", type=Path, default=None,
                       help="where to create the <NCT id> folder (default: the protocols folder)")


class _Refused(Exception):
    """Bad input: one line for standard error, nothing written."""


def _read(path: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _Refused(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise _Refused(f"{path}: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Refused(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None


def run(args: argparse.Namespace) -> int:
    from stromalab.core.protocol import DEFAULT_ROOT

    from .environment import protocols_root

    out: Path = args.out or protocols_root() or DEFAULT_ROOT
    try:
        folder = import_ctgov(args.record, out, date.today())
    except _Refused as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    print(folder)
    return 0


def import_ctgov(record_path: str, out: Path, today: date) -> Path:
    """Write ``out/<NCT id>/`` from the record; returns the folder. Raises _Refused."""
    from stromalab.core.protocol import load_protocol
    from stromalab.core.registry import RecordError, read_record
    from stromalab.core.registry.protocol_file import eligibility_yaml

    data = _read(record_path)
    try:
        registration = read_record(data)
    except RecordError as exc:
        raise _Refused(f"{record_path}: {exc}") from None
    if not out.is_dir():
        raise _Refused(f"--out {out}: not a folder")
    target = out / registration.nct_id
    if target.exists():
        raise _Refused(f"{target}: already exists (a protocol folder is never overwritten)")
    staging = Path(tempfile.mkdtemp(prefix=f".{registration.nct_id}-", dir=out))
    try:
        folder = staging / registration.nct_id  # the loader wants the folder named after the study
        folder.mkdir()
        (folder / "study.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        (folder / "eligibility.yaml").write_text(eligibility_yaml(registration, today), encoding="utf-8")
        load_protocol(folder)  # what `stromalab screen` does: an error here is ours, not the record's
        os.rename(folder, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
