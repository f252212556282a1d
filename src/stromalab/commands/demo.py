"""``stromalab demo [--seed N]``: fill an empty database with a complete demo study.

    stromalab manage bootstrap && stromalab demo      # or: make demo

Donors at every stage, data queries, batches through release and one blocked by an
out-of-specification result, all made through the actions (audited, signed), with one account
per role whose demo password is printed at the end. The passwords are public: a demo database
is for trying the product, never for study data. Exit 0 when done; 2 with one line saying why
not (a database that already holds study data, migrations not applied, another study
configured).
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1,
                        help="seed of every generated value and FCS file (default %(default)s)")


def run(args: argparse.Namespace) -> int:
    from stromalab.commands.environment import setup_django

    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from stromalab.web.demo import study

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return _refuse("migrations not applied; run 'stromalab manage bootstrap' first")
    if settings.STROMALAB_PROTOCOL != study.PROTOCOL:
        return _refuse(f"the demo study is written for {study.PROTOCOL}; this instance runs "
                       f"{settings.STROMALAB_PROTOCOL}")
    try:
        made = study.fill(args.seed)
    except study.DemoRefused as e:
        return _refuse(str(e))
    print(f"demo study {study.PROTOCOL} made (seed {args.seed}):")
    for line in _summary():
        print(f"  {line}")
    print(f"  released: {', '.join(r.batch.code for r in made.releases)}; "
          f"blocked by an OOS: {made.blocked.code}")
    print("\ndemo accounts (their passwords are public: use this database for trying the product only)")
    for role, user in made.staff.users.items():
        print(f"  {role:<18} {user.username:<18} {made.staff.password(user)}")
    return 0


def _summary() -> list[str]:
    """What the database now holds, counted by status, as a newcomer will find it on the pages."""
    from django.db.models import Count, Model

    from stromalab.web.donors.models import Donor
    from stromalab.web.manufacturing.models import Batch
    from stromalab.web.quality.models import OosRecord
    from stromalab.web.screening.models import DataQuery

    def by_status(model: type[Model]) -> str:
        rows = model._default_manager.values("status").annotate(n=Count("pk")).order_by("status")
        return ", ".join(f"{row['n']} {row['status'].replace('_', ' ')}" for row in rows)

    withdrawn = Donor.objects.filter(withdrawn_at__isnull=False).count()
    return [f"donors: {by_status(Donor)} (of whom {withdrawn} withdrawn)",
            f"data queries: {by_status(DataQuery)}", f"batches: {by_status(Batch)}",
            f"OOS records: {by_status(OosRecord)}"]


def _refuse(why: str) -> int:
    print(f"stromalab demo: error: {why}", file=sys.stderr)
    return 2
