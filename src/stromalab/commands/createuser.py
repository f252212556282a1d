"""``stromalab createuser --role ROLE USERNAME``: add an account.

Prints a generated one-time password, or with ``--password-stdin`` reads the password from
standard input (first line). Either way the user must change it at first login.
"""

from __future__ import annotations

import argparse
import sys

ROLES = ("investigator", "coordinator", "operator", "qc_analyst", "qualified_person",
         "data_manager", "monitor", "administrator", "warehouse_analyst")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument("--first-name", default="")
    parser.add_argument("--last-name", default="")
    parser.add_argument("--email", default="")
    parser.add_argument("--password-stdin", action="store_true",
                        help="read the initial password from standard input instead of generating one")
    parser.add_argument("username")


def run(args: argparse.Namespace) -> int:
    from .environment import setup_django

    setup_django()
    from django.core.exceptions import ValidationError

    from stromalab.web.accounts import actions

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            print("stromalab createuser: empty password on standard input", file=sys.stderr)
            return 2
    try:
        user, password = actions.create_user(
            username=args.username, role=args.role, password=password, first_name=args.first_name,
            last_name=args.last_name, email=args.email, acting_user=None)
    except ValidationError as e:
        print(f"stromalab createuser: {'; '.join(e.messages)}", file=sys.stderr)
        return 1
    print(f"created {user.username} ({user.role})")
    if not args.password_stdin:
        print(f"one-time password: {password}")
    print("the password must be changed at first login")
    return 0
