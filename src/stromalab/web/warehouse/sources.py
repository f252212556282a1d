"""The warehouses the server offers: configured by the server, never typed in by a browser.

``settings.STROMALAB_WAREHOUSES`` (from the environment variable of that name)
    ``name=location;name2=location2`` — a location is what ``stromalab prescreen --omop``
    takes: a DuckDB file, a folder of CSV/Parquet tables, or a ``postgresql://`` URL.
    Names are letters, digits, ``_``, ``-`` and ``.``.

``demo`` is always offered: a synthetic OMOP warehouse written by
:mod:`stromalab.core.warehouse.synthetic` into ``STROMALAB_VAR_DIR/warehouse-demo/`` the first
time it is used (with a matching operating-room schedule to try the upload).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

DEMO = "demo"
DEMO_PERSONS = 400
DEMO_SEED = 6
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_lock = threading.Lock()


@dataclass(frozen=True)
class Source:
    name: str
    location: str  # never shown to users (a URL may carry a password)
    engine: str
    demo: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} (synthetic demonstration data)" if self.demo else self.name


def demo_as_of() -> date:
    """The date the demo warehouse is built around (its planted persons are meant for it)."""
    from stromalab.core.warehouse.synthetic import AS_OF_MAY

    return AS_OF_MAY


def demo_dir() -> Path:
    return Path(settings.VAR_DIR) / "warehouse-demo"


def demo_schedule_path() -> Path:
    return demo_dir() / "schedule.csv"


def configured() -> list[Source]:
    """The sources of ``STROMALAB_WAREHOUSES`` (malformed entries are logged and skipped), then demo."""
    from stromalab.core.warehouse.engines import detect_engine

    found: dict[str, Source] = {}
    for item in settings.STROMALAB_WAREHOUSES.split(";"):
        if not item.strip():
            continue
        name, sep, location = item.partition("=")
        name, location = name.strip(), location.strip()
        if not sep or not _NAME.match(name) or not location or name == DEMO or name in found:
            log.warning("STROMALAB_WAREHOUSES: ignored entry %r (expected name=location)", name or item[:20])
            continue
        found[name] = Source(name, location, detect_engine(location))
    found[DEMO] = Source(DEMO, str(demo_dir() / "omop.duckdb"), "duckdb", demo=True)
    return list(found.values())


def get(name: str) -> Source | None:
    return next((s for s in configured() if s.name == name), None)


def ensure_demo() -> Path:
    """Write the demo warehouse and its schedule on first use (atomically: temp file, rename)."""
    from stromalab.core.warehouse import synthetic

    target = demo_dir() / "omop.duckdb"
    with _lock:
        if target.is_file() and demo_schedule_path().is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".omop-{os.getpid()}.duckdb")
        tmp.unlink(missing_ok=True)
        synthetic.write(tmp, DEMO_PERSONS, DEMO_SEED, demo_as_of())
        os.replace(tmp, target)
        rows: list[tuple[Any, ...]] = [r for r in synthetic.PLANTED_SCHEDULE if r[0] != 999]
        # the random persons too, so that the schedule's population is not only edge cases
        rows += [(pid, "2022-06-20", "liposuction", "abdominal wall", "general")
                 for pid in range(synthetic.RANDOM_FROM, synthetic.RANDOM_FROM + DEMO_PERSONS)]
        tmp_csv = demo_schedule_path().with_name(f".schedule-{os.getpid()}.csv")
        synthetic.write_schedule(tmp_csv, rows)
        os.replace(tmp_csv, demo_schedule_path())
    return target
