"""Bulk data for the web benchmarks (``web.py``, ``load.py``): donors and audit events written
straight into the tables, because going through the actions would take hours at these sizes.

Call inside a configured Django (``django.setup()`` done, database migrated).
"""

from __future__ import annotations

import os
from typing import Any

PG_URL = os.environ.get("STROMALAB_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def postgres_available() -> bool:
    """Whether the benchmark's PostgreSQL server answers (else its half is reported as not measured)."""
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
        return True
    except Exception:
        return False


def create_database(engine: str, prefix: str, var_dir: str) -> str | None:
    """Point ``STROMALAB_DATABASE_URL`` at a new database of ``engine``: a SQLite file in
    ``var_dir``, or a PostgreSQL database ``<prefix>_<pid>`` (its name returned, to drop)."""
    if engine != "postgresql":
        os.environ["STROMALAB_DATABASE_URL"] = f"sqlite:///{var_dir}/{prefix}.sqlite3"
        return None
    import psycopg

    dbname = f"{prefix}_{os.getpid()}"
    with psycopg.connect(PG_URL, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {dbname}")
    os.environ["STROMALAB_DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + "/" + dbname
    return dbname


def drop_database(dbname: str | None) -> None:
    """Drop what :func:`create_database` made on PostgreSQL (connections closed first)."""
    if not dbname:
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(PG_URL, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


def load_donors(study: Any, user: Any, count: int) -> list[str]:
    """``count`` donors with an identity; the first half screened (the engine's result cached,
    verdict incomplete), the second half not yet screened. Returns the pseudonyms in order."""
    from stromalab.web.donors.models import Donor, DonorIdentity
    from stromalab.web.screening.models import Screening

    donors = [Donor(study=study, sequence=i, pseudonym=f"{study.id}-{i:05d}", created_by=user)
              for i in range(1, count + 1)]
    Donor.objects.bulk_create(donors, batch_size=2000)
    donors = list(Donor.objects.filter(study=study).order_by("sequence"))
    DonorIdentity.objects.bulk_create(
        [DonorIdentity(donor=d, last_name=f"Name{d.sequence}", first_name="F") for d in donors], batch_size=2000)
    results = [{"id": f"C{i}", "status": "unknown", "reason": "", "discrepancy": False} for i in range(28)]
    Screening.objects.bulk_create(
        [Screening(donor=d, verdict="incomplete", results=results) for d in donors[: count // 2]],
        batch_size=2000)
    type(study).objects.filter(pk=study.pk).update(next_sequence=count + 1)
    return [d.pseudonym for d in donors]


def load_events(connection: Any, start_id: int, prev: str, n: int, donors: int) -> None:
    """Append ``n`` chained audit events after event ``start_id`` (hash ``prev``), spread over
    the subjects of ``donors`` donors, and move the chain head to the last one."""
    from stromalab.web.audit.canonical import utc_now_text
    from stromalab.web.audit.chain import content_hash

    at = utc_now_text()
    sql = ("INSERT INTO audit_auditevent (id, at, user_id, username, action, record_type, record_id, subject, "
           "field, old, new, reason, prev_hash, hash) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)")
    batch = []
    event_id = start_id
    with connection.cursor() as cursor:
        for i in range(n):
            event_id += 1
            row = [event_id, at, None, "bench", "update", "screening.Screening", str(i % donors),
                   f"NCT05947682-{i % donors:05d}", "weight_kg", f'"{60 + i % 30}"', f'"{61 + i % 30}"',
                   "benchmark", prev]
            prev = content_hash(row)
            batch.append((*row, prev))
            if len(batch) == 20_000:
                cursor.executemany(sql, batch)
                batch.clear()
        if batch:
            cursor.executemany(sql, batch)
        cursor.execute("UPDATE audit_chainhead SET last_id = %s, last_hash = %s WHERE id = 1", [event_id, prev])
