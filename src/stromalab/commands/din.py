"""``stromalab din``: check characters and validation of ISBT 128 donation numbers.

For the bench: compute the boxed check character to write on a hand label, or check a DIN read
from a label or a scanner before it is typed anywhere else.

    stromalab din check-char G123417654321      ->  A
    stromalab din validate "G1234 17 654321 00 A"  ->  OK G123417654321
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check-char", help="print the ISO/IEC 7064 MOD 37-2 check character of a DIN"
    )
    check.add_argument("din", metavar="DIN", help="13 characters, e.g. G123417654321")
    validate = actions.add_parser(
        "validate", help="validate a printed or scanned DIN and print it normalized"
    )
    validate.add_argument(
        "text",
        metavar="TEXT",
        help="printed form (G1234 17 654321 [00] [A]) or barcode data (=G12341765432100)",
    )


def run(args: argparse.Namespace) -> int:
    from stromalab.core.manufacturing.isbt128 import Isbt128Error, parse

    try:
        reading = parse(args.din if args.action == "check-char" else args.text)
    except Isbt128Error as exc:
        print(f"stromalab din: error: {exc}", file=sys.stderr)
        return 2
    if args.action == "check-char":
        print(reading.din.check_character)
    else:
        print(f"OK {reading.din.text}")
    return 0
