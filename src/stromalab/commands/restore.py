"""``stromalab restore DIR``: a backup into an empty database, then verified.

    STROMALAB_DATABASE_URL=postgres://stromalab_owner@db/stromalab_new stromalab restore /srv/backups/b1

Every file is checked against the manifest before anything is written; the database must hold no
table and the media folder must be empty. Afterwards the audit chain is verified and every stored
FCS file is checked against the SHA-256 recorded for it. Exit 0 when restored and verified; 2 with
one line naming the first problem.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", type=Path, help="a folder written by stromalab backup")


def run(args: argparse.Namespace) -> int:
    from stromalab.commands.environment import setup_django

    setup_django()
    from stromalab.web.backup.archive import run_for_operator

    return run_for_operator("restore", args.folder)
