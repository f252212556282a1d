"""``stromalab backup DIR``: the database, the uploaded files and a manifest of SHA-256.

    stromalab backup /srv/backups/stromalab-2026-11-30

Safe while the application runs. Exit 0 with a summary; 2 with one line saying why not.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", type=Path, help="a new or empty folder to write the backup into")


def run(args: argparse.Namespace) -> int:
    from stromalab.commands.environment import setup_django

    setup_django()
    from django.conf import settings

    from stromalab.web.backup.archive import backup
    from stromalab.web.backup.database import BackupError

    try:
        done = backup(args.folder, database=settings.DATABASES["default"],
                      media_root=Path(settings.STROMALAB_MEDIA_DIR))
    except BackupError as error:
        print(f"stromalab backup: error: {error}", file=sys.stderr)
        return 2
    print(f"backup written to {done.folder}: {done.engine} database, {done.files} files, "
          f"{done.bytes:,} bytes, audit trail up to event {done.audit_events}")
    return 0
