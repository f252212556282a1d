"""``stromalab export fhir|odm --user USERNAME [--out FILE]``: the study as a FHIR R4 bundle or
a CDISC ODM 1.3.2 document. ``stromalab export csv|xlsx --user USERNAME --out FOLDER``: the list
pages' tables (donors, screening log, data queries, batches, QC, audit trail, warehouse runs),
one file per table, as their pages show them.

    stromalab export fhir --user dm.dupont --out NCT05947682.fhir.json
    stromalab export odm --user monitor.martin > NCT05947682.odm.xml
    stromalab export csv --user dm.dupont --out exports/ --filter data-queries:status=all
    stromalab export xlsx --user inv.durand --out exports/ --table donors --language fr

``--user`` names the person taking the data out: an active account whose role may export (data
manager, monitor). The export is recorded in the audit trail under that account (records,
filters, SHA-256 of the file) once the file is complete beside ``--out``; it is then moved into
place. Without ``--out`` the document goes to standard output. Exit 0 with a summary on
standard error; 2 with one line saying why not, nothing written.

The tables go to the account whose role reads their page (web/exports/tables): ``--table``
names some (one the role may not read refuses the whole export), by default every table the
role reads is written and the others are named as skipped. ``--filter TABLE:NAME=VALUE`` is a
filter of the table's page query string (``data-queries:status=all``, ``donors:q=D-00``,
``audit-trail:date_from=2026-03-01``); without one a table is what its page shows first.
Identity columns only for the roles that read identity. Headers in ``--language`` (default:
the site's). Each file is written beside its destination, recorded (records, filters, SHA-256)
and then moved into place as ``FOLDER/<table>.csv`` (or ``.xlsx``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Container
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("format", choices=("fhir", "odm", *TABLE_FORMATS),
                        help="FHIR R4 bundle (JSON), CDISC ODM 1.3.2 (XML), or the list pages' tables (CSV, Excel)")
    parser.add_argument("--user", required=True, metavar="USERNAME", help="the account exporting (data manager, monitor)")
    parser.add_argument("--out", type=Path, metavar="FILE|FOLDER",
                        help="fhir, odm: file to write (default: standard output); csv, xlsx: an existing folder")
    parser.add_argument("--table", action="append", default=[], metavar="TABLE",
                        help="csv, xlsx: a table to write (repeatable; default: every table the role reads)")
    parser.add_argument("--filter", action="append", default=[], metavar="TABLE:NAME=VALUE",
                        help="csv, xlsx: a filter of the table's page (repeatable)")
    parser.add_argument("--language", metavar="LANG", help="csv, xlsx: language of the headers (default: the site's)")


TABLE_FORMATS = ("csv", "xlsx")


def _refuse(message: str) -> int:
    print(f"stromalab export: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    from stromalab.commands.environment import setup_django

    setup_django()
    if args.format in TABLE_FORMATS:
        return _tables(args)
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


def _filters(specs: list[str], tables: Container[str]) -> dict[str, dict[str, str]] | str:
    """``TABLE:NAME=VALUE`` options as each table's query string; a bad one: why, as text."""
    filters: dict[str, dict[str, str]] = {}
    for spec in specs:
        table, _colon, pair = spec.partition(":")
        name, equals, value = pair.partition("=")
        if table not in tables or not name or not equals:
            return f"--filter {spec!r}: expected TABLE:NAME=VALUE with a known table"
        filters.setdefault(table, {})[name] = value
    return filters


def _tables(args: argparse.Namespace) -> int:
    """Every requested table the account reads, one file each, each export recorded."""
    from django.conf import settings
    from django.core.exceptions import PermissionDenied
    from django.utils import translation

    from stromalab.web.accounts.models import User
    from stromalab.web.exports.access import account_refusal
    from stromalab.web.exports.record import configured_study
    from stromalab.web.exports.tables import TABLES
    from stromalab.web.exports.tables.produce import record, refusal, write

    folder: Path | None = args.out
    if folder is None or not folder.is_dir():
        return _refuse(f"{args.format} writes one file per table: --out must name an existing folder")
    language = args.language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        return _refuse(f"no language {language!r} (languages: {', '.join(dict(settings.LANGUAGES))})")
    unknown = [key for key in args.table if key not in TABLES]
    if unknown:
        return _refuse(f"no table named {unknown[0]!r} (tables: {', '.join(TABLES)})")
    filters = _filters(args.filter, TABLES)
    if isinstance(filters, str):
        return _refuse(filters)
    user = User.objects.filter(username=args.user).first()
    if user is None:
        return _refuse(f"no account named {args.user!r}")
    if (reason := account_refusal(user)) is not None:
        return _refuse(reason)
    named = args.table or list(TABLES)
    refusals = {key: refusal(user, TABLES[key]) for key in named}
    if args.table and (reason := next((r for r in refusals.values() if r), None)):
        return _refuse(reason)
    chosen = [key for key in named if refusals[key] is None]
    if not chosen:
        return _refuse(f"account {args.user} ({user.role}) may read none of the tables")
    try:
        configured_study()  # the events are filed on it: refuse before writing anything
    except PermissionDenied as error:
        return _refuse(str(error))
    with translation.override(language):
        for key in chosen:
            target = folder / f"{key}.{args.format}"
            partial = folder / f".{target.name}.partial"
            try:
                with partial.open("w+b") as out:
                    file = write(TABLES[key], args.format, acting_user=user, params=filters.get(key, {}),
                                 out=out, name=target.name)
                event = record(file, acting_user=user, channel="cli")
                os.replace(partial, target)
            except OSError as error:
                return _refuse(f"cannot write {target}: {error.strerror}")
            finally:
                partial.unlink(missing_ok=True)
            print(f"{key}: {file.records} records, sha256 {file.sha256}, audit event {event}, written to {target}",
                  file=sys.stderr)
    skipped = [key for key in named if refusals[key]]
    if skipped:
        print(f"not written (the role {user.role} does not read their pages): {', '.join(skipped)}", file=sys.stderr)
    return 0
