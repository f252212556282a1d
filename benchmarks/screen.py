"""Benchmark: screening throughput in-process and through the CLI, and CLI start-up.

    .venv/bin/python benchmarks/screen.py [--records 100000]

Generates reproducible records (a fixed seed, in a temporary folder: nothing is committed),
screens them through the core (validation + evaluation, from decoded JSON) and through the
whole ``stromalab screen`` process, and times the CLI's start-up against a bare
``python -c pass`` in the same run. Targets: ≥ 20,000 records/s in-process; CLI start-up
≤ 0.3 s above bare Python.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from stromalab.core.eligibility import screen
from stromalab.core.protocol import load_protocol

SEROLOGY = ["HBsAg", "anti-HBc", "anti-HCV", "HIV", "HEV", "syphilis", "HTLV", "toxoplasma-IgM", "EBV-IgM", "CMV-IgM"]
ICD10 = ["J45.9", "C50.9", "D68.1", "R17", "E10.9", "I10", "K35.8", "M34.0", "Z00.0", "F03"]
ATC = ["H02AB06", "A10AB01", "N05AN01", "N02BE01", "C09AA05", "H02AB02", "J01CA04"]


def make_record(rng: random.Random, i: int) -> dict[str, Any]:
    as_of = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
    record: dict[str, Any] = {
        "donor": f"D-{i:06d}",
        "as_of": as_of.isoformat(),
        "sex": rng.choice(["female", "male"]),
        "birth_date": (as_of - timedelta(days=rng.randrange(6000, 22000))).isoformat(),
        "weight_kg": round(rng.uniform(45, 110), 1),
        "height_cm": round(rng.uniform(150, 195), 1),
        "blood_pressure": {"systolic": rng.randrange(100, 170), "diastolic": rng.randrange(60, 105)},
        "smoking": rng.choice(["never", "never", "former", "current"]),
        "social_security": rng.random() < 0.97,
        "consent": {"status": "signed", "date": (as_of - timedelta(days=1)).isoformat(), "version": "1.0"},
        "surgery": {"procedure": "liposuction", "site": "abdominal wall", "anesthesia": "general",
                    "date": (as_of + timedelta(days=rng.randrange(-5, 60))).isoformat()},
        "serology": {t: ("positive" if rng.random() < 0.01 else "negative") for t in SEROLOGY},
        "conditions": [
            {"code": f"ICD10:{rng.choice(ICD10)}", "onset": (as_of - timedelta(days=rng.randrange(30, 5000))).isoformat(), "end": None}
            for _ in range(rng.randrange(4))
        ],
        "medications": [
            {"code": f"ATC:{rng.choice(ATC)}", "start": (as_of - timedelta(days=rng.randrange(6, 200))).isoformat(),
             "end": (as_of - timedelta(days=rng.randrange(0, 6))).isoformat()}
            for _ in range(rng.randrange(3))
        ],
        "answers": {f"E{k}": ("yes" if rng.random() < 0.02 else "no") for k in range(3, 23) if rng.random() < 0.9},
    }  # fmt: skip
    if record["sex"] == "female":
        record["pregnancy_test"] = {"result": "negative", "date": (as_of - timedelta(days=rng.randrange(10))).isoformat()}
    return record


def best_of(runs: int, command: list[str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    count = parser.parse_args().records

    rng = random.Random(20261126)
    records = [make_record(rng, i) for i in range(count)]
    protocol = load_protocol("NCT05947682")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        # in-process: decoded JSON (numbers as Decimal, as the CLI reads them) -> results
        decoded = [json.loads(line, parse_float=Decimal) for line in path.read_text().splitlines()]
        start = time.perf_counter()
        verdicts = [screen(protocol, r).verdict for r in decoded]
        core_seconds = time.perf_counter() - start

        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "stromalab", "screen", "--format", "json", str(path)],
            check=False, capture_output=True,
        )  # fmt: skip
        cli_seconds = time.perf_counter() - start
        assert done.returncode == 0, done.stderr[:500]
        assert done.stdout.count(b"\n") == count

        # start-up as a user sees it: load the protocol, screen one record, print it
        one = Path(folder) / "one.json"
        one.write_text(json.dumps(records[0]), encoding="utf-8")
        bare = best_of(7, [sys.executable, "-c", "pass"])
        startup = best_of(7, [sys.executable, "-m", "stromalab", "screen", "--format", "json", str(one)])
    counts = {v: verdicts.count(v) for v in sorted(set(verdicts))}
    print(f"records: {count} ({', '.join(f'{k} {v}' for k, v in counts.items())})")
    print(f"core (validate + evaluate): {core_seconds:.2f} s = {count / core_seconds:,.0f} records/s (target ≥ 20,000)")
    print(f"CLI whole process (read, screen, write JSON Lines): {cli_seconds:.2f} s = {count / cli_seconds:,.0f} records/s")
    print(f"start-up: bare python {bare * 1000:.0f} ms, stromalab screen of one record {startup * 1000:.0f} ms, "
          f"difference {(startup - bare) * 1000:.0f} ms (target ≤ 300 ms), ratio {startup / bare:.1f}x")
    print(f"core time per record: {core_seconds / count * 1e6:.1f} µs")


if __name__ == "__main__":
    main()
