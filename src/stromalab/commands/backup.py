"""``stromalab backup DIR``: the database, the uploaded files and a manifest of SHA-256.

    stromalab backup /srv/backups/stromalab-2026-11-30

Safe while the application runs. Exit 0 with a summary; 2 with one line saying why not.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", type=Path, help="a new or empty folder to write the backup into")


def run(args: argparse.Namespace) -> int:
    from stromalab.commands.environment import setup_django

    setup_django()
    from stromalab.web.backup.archive import run_for_operator

    return run_for_operator("backup", args.folder)
