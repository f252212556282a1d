"""``stromalab audit verify``: walk the hash-chained audit trail.

Exit 0 with a summary when the chain is intact; exit 1 naming the first broken event.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    verify = sub.add_parser("verify", help="re-compute every hash and check the chain")
    verify.add_argument("--quiet", action="store_true", help="print nothing when intact")


def run(args: argparse.Namespace) -> int:
    from .environment import setup_django

    setup_django()
    from stromalab.web.audit.chain import verify_chain

    result = verify_chain()
    if not result.ok:
        print(f"audit trail BROKEN at event {result.broken_id}: {result.problem} "
              f"({result.count} events verified before it)")
        return 1
    if not args.quiet:
        print(f"audit trail intact: {result.count} events, last hash {result.last_hash}, "
              f"verified in {result.seconds:.2f} s ({result.rate:,.0f} events/s)")
    return 0
