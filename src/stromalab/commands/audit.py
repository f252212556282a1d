"""``stromalab audit verify`` and ``stromalab audit checkpoint``.

``verify`` walks the hash-chained audit trail and holds it against the signed checkpoints kept
outside the database (``STROMALAB_AUDIT_CHECKPOINTS``): exit 0 with a summary when intact; exit 1
naming the first event that no longer matches (or the checkpoint line that was altered).
``checkpoint`` records the current head in that file: schedule it (a systemd timer, cron) so that
a quiet trail is checkpointed too, not only every N events.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    verify = sub.add_parser("verify", help="re-compute every hash and check the chain and its checkpoints")
    verify.add_argument("--quiet", action="store_true", help="print nothing when intact")
    sub.add_parser("checkpoint", help="record the chain's head, signed, outside the database")


def run(args: argparse.Namespace) -> int:
    from .environment import setup_django

    setup_django()
    from stromalab.web.audit import checkpoints

    if args.action == "checkpoint":
        mark = checkpoints.checkpoint_now()
        print(f"checkpoint: event {mark.event_id}, hash {mark.hash}" if mark else
              "checkpoint: nothing new since the last one")
        return 0
    try:
        marks = checkpoints.read()
    except checkpoints.CheckpointError as error:
        print(f"audit checkpoints BROKEN: {error}")
        return 1
    result = checkpoints.verify_trail(checkpoints=marks)
    if not result.ok:
        print(f"audit trail BROKEN at event {result.broken_id}: {result.problem} "
              f"({result.count} events verified before it)")
        return 1
    if not args.quiet:
        print(f"audit trail intact: {result.count} events, last hash {result.last_hash}, "
              f"{len(marks)} checkpoints held, verified in {result.seconds:.2f} s "
              f"({result.rate:,.0f} events/s)")
    return 0
