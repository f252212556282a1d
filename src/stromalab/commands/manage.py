"""``stromalab manage ARGS...``: Django's manage.py for the study web application.

    stromalab manage bootstrap                 # migrate, load protocol, first administrator
    stromalab manage runserver 127.0.0.1:8000
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("args", nargs=argparse.REMAINDER, help="a Django management command and its arguments")


def run(args: argparse.Namespace) -> int:
    from .environment import use_django_settings

    use_django_settings()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["stromalab manage", *args.args])
    return 0
