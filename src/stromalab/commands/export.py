"""``stromalab export fhir|odm --user USERNAME [--out FILE]``: the study as a FHIR R4 bundle or
a CDISC ODM 1.3.2 document.

    stromalab export fhir --user dm.dupont --out NCT05947682.fhir.json
    stromalab export odm --user monitor.martin > NCT05947682.odm.xml

``--user`` names the person taking the data out: an active account whose role may export (data
manager, monitor). The export is recorded in the audit trail under that account (records,
filters, SHA-256 of the file) once the file is complete beside ``--out``; it is then moved into
place. Without ``--out`` the document goes to standard output. Exit 0 with a summary on
standard error; 2 with one line saying why not, nothing written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=("fhir", "odm"), help="FHIR R4 bundle (JSON) or CDISC ODM 1.3.2 (XML)")
    parser.add_argument("--user", required=True, metavar="USERNAME", help="the account exporting (data manager, monitor)")
    parser.add_argument("--out", type=Path, metavar="FILE", help="file to write (default: standard output)")


def _refuse(message: str) -> int:
    print(f"stromalab export: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from stromalab.commands.environment import setup_django

    setup_django()
    from django.core.exceptions import PermissionDenied

    from stromalab.web.exports.access import exporter_named
    from stromalab.web.exports.record import prepare, record

    out: Path | None = args.out
    if out is not None and (out.is_dir() or not out.parent.is_dir()):
        return _refuse(f"cannot write {out}: not a file in an existing folder")
    try:
        user = exporter_named(args.user)
        file = prepare(args.format, acting_user=user)
    except PermissionDenied as error:
        return _refuse(str(error))
    if out is None:
        event = record(file, acting_user=user, channel="cli")
        sys.stdout.buffer.write(file.content)
        sys.stdout.flush()
    else:
        partial = out.with_name(f".{out.name}.partial")
        try:
            partial.write_bytes(file.content)
            event = record(file, acting_user=user, channel="cli")
            os.replace(partial, out)
        except OSError as error:
            return _refuse(f"cannot write {out}: {error.strerror}")
        finally:
            partial.unlink(missing_ok=True)
    print(f"{args.format}: {file.records} records, sha256 {file.sha256}, audit event {event}"
          + (f", written to {out}" if out else ""), file=sys.stderr)
    return 0
