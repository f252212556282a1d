"""``stromalab i18n compile``: write every app's ``.mo`` from its ``.po`` (Babel, no Django).

``make test`` runs it before the suite; ``stromalab manage bootstrap`` does the same for
``make run``. Prints the files it wrote (nothing when every ``.mo`` is up to date).
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("compile", help="compile each locale/*/LC_MESSAGES/django.po to .mo")


def run(args: argparse.Namespace) -> int:
    from stromalab.web.catalogues import WEB_DIR, compile_all

    for mo in compile_all():
        print(f"compiled {mo.relative_to(WEB_DIR)}")
    return 0
