"""Benchmark of the study web application, on SQLite and on PostgreSQL.

    .venv/bin/python benchmarks/web.py                 # both engines (PostgreSQL if reachable)
    .venv/bin/python benchmarks/web.py --write-docs    # and update docs/performance.md

With 10,000 donors loaded: p50/p95 of the donor list (paginated), a donor page and a
screening save (the CRF form POST, through the whole Django stack: middleware, session,
permission check, action, audit events, engine); then `audit verify` over 1,000,000 events.
Targets: p95 <= 150 ms; verify >= 100,000 events/s. Each engine runs in a subprocess on a
fresh database (SQLite file in a temporary directory; PostgreSQL database created and dropped).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _data import (
    PG_URL,
    create_database,
    drop_database,
    load_donors,
    load_events,
    postgres_available,
)

ROOT = Path(__file__).resolve().parents[1]
DONORS = 10_000
EVENTS = 1_000_000
SECTION = "## Web application (benchmarks/web.py)"


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed(fn: Any, n: int) -> dict[str, float]:
    samples = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(statistics.median(samples), 1), "p95_ms": round(_pct(samples, 0.95), 1), "n": n}


def child(engine: str) -> dict[str, Any]:
    os.environ["DJANGO_SETTINGS_MODULE"] = "stromalab.web.settings"
    os.environ["STROMALAB_VAR_DIR"] = tempfile.mkdtemp(prefix="stromalab-bench-")
    dbname = create_database(engine, "bench_stromalab", os.environ["STROMALAB_VAR_DIR"])
    import django

    django.setup()
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    Argon2PasswordHasher.memory_cost = 256  # user creation only; no password checks are timed
    try:
        call_command("migrate", verbosity=0)
        from stromalab.web.accounts.actions import create_user
        from stromalab.web.audit.chain import verify_chain
        from stromalab.web.audit.models import ChainHead
        from stromalab.web.bootstrap import load_study

        study = load_study("NCT05947682")
        user, _ = create_user(username="bench", role="coordinator", password="x", acting_user=None,
                              validate=False)
        type(user).objects.filter(pk=user.pk).update(must_change_password=False)
        t = time.perf_counter()
        pseudonyms = load_donors(study, user, DONORS)
        load_s = time.perf_counter() - t
        client = Client()
        client.force_login(user)
        rng = random.Random(7)
        pages = DONORS // 50

        def donor_list(i: int) -> None:
            r = client.get(f"/donors/?page={rng.randint(1, pages)}")
            assert r.status_code == 200

        def donor_page(i: int) -> None:
            r = client.get(f"/donors/{rng.choice(pseudonyms)}/")
            assert r.status_code == 200

        to_screen = iter(pseudonyms[DONORS // 2:])
        form = {"as_of": "2026-03-02", "sex": "female", "birth_date": "1990-05-14", "weight_kg": "62.0",
                "height_cm": "168.0", "systolic": "128", "diastolic": "82", "smoking": "never",
                "social_security": "true", "surgery_procedure": "liposuction", "surgery_site": "abdominal wall",
                "surgery_anesthesia": "general", "surgery_date": "2026-03-20", "pregnancy_result": "negative",
                "pregnancy_date": "2026-03-01"}
        for test in ("HBsAg", "anti-HBc", "anti-HCV", "HIV", "HEV", "syphilis", "HTLV", "toxoplasma-IgM",
                     "EBV-IgM", "CMV-IgM"):
            form[f"serology_{test}"] = "negative"
        for i in range(1, 23):
            form[f"answer_E{i}"] = "no"

        def screening_save(i: int) -> None:
            p = next(to_screen)
            r = client.post(f"/screening/{p}/", form)
            assert r.status_code == 302, r.content[:500]

        for fn in (donor_list, donor_page, screening_save):  # warm-up
            fn(0)
        out: dict[str, Any] = {"engine": engine, "donors": DONORS, "load_s": round(load_s, 1)}
        out["donor_list"] = _timed(donor_list, 200)
        out["donor_page"] = _timed(donor_page, 200)
        out["screening_save"] = _timed(screening_save, 100)
        head = ChainHead.objects.get(pk=1)
        t = time.perf_counter()
        with transaction.atomic():
            load_events(connection, head.last_id, head.last_hash, EVENTS - head.last_id, DONORS)
        out["events_load_s"] = round(time.perf_counter() - t, 1)
        if engine == "postgresql":
            with connection.cursor() as c:
                c.execute("ANALYZE audit_auditevent")
        result = verify_chain()
        assert result.ok, result
        out["verify"] = {"events": result.count, "seconds": round(result.seconds, 2),
                         "events_per_s": int(result.rate)}
        return out
    finally:
        drop_database(dbname)


def render(results: list[dict[str, Any]]) -> str:
    lines = [SECTION, "",
             f"`.venv/bin/python benchmarks/web.py --write-docs` — {DONORS:,} donors loaded, Django test client "
             "through the whole stack (session, permission check, action, audit events, engine); "
             f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPU "
             f"({time.strftime('%Y-%m-%d')}). Target: p95 ≤ 150 ms; `audit verify` ≥ 100,000 events/s.",
             "", "| engine | donor list p50 / p95 | donor page p50 / p95 | screening save p50 / p95 | "
             "audit verify (1,000,000 events) |", "|---|---|---|---|---|"]
    for r in results:
        v = r["verify"]
        lines.append(
            f"| {r['engine']} | {r['donor_list']['p50_ms']} / {r['donor_list']['p95_ms']} ms | "
            f"{r['donor_page']['p50_ms']} / {r['donor_page']['p95_ms']} ms | "
            f"{r['screening_save']['p50_ms']} / {r['screening_save']['p95_ms']} ms | "
            f"{v['seconds']} s = {v['events_per_s']:,} events/s |")
    return "\n".join(lines) + "\n"


def write_docs(text: str) -> None:
    path = ROOT / "docs" / "performance.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if SECTION in current:
        before, _, rest = current.partition(SECTION)
        nxt = rest.find("\n## ")
        after = rest[nxt + 1:] if nxt >= 0 else ""
        current = before + text + ("\n" + after if after else "")
    else:
        current = current.rstrip("\n") + "\n\n" + text
    path.write_text(current, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help="(internal) run one engine")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if args.engine:
        print(json.dumps(child(args.engine)))
        return 0
    engines = ["sqlite"] + (["postgresql"] if postgres_available() else [])
    if "postgresql" not in engines:
        print(f"### NOT MEASURED: PostgreSQL ({PG_URL}) unreachable", file=sys.stderr)
    results = []
    for engine in engines:
        proc = subprocess.run([sys.executable, __file__, "--engine", engine], capture_output=True, text=True,
                              check=False)
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr, file=sys.stderr)
            return 1
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    text = render(results)
    print(text)
    if args.write_docs:
        write_docs(text)
    slow = [r["engine"] for r in results if max(r[k]["p95_ms"] for k in ("donor_list", "donor_page",
                                                                       "screening_save")) > 150
            or r["verify"]["events_per_s"] < 100_000]
    if slow:
        print(f"targets missed on: {', '.join(slow)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
