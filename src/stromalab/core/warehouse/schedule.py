"""The operating-room schedule: who is coming, for what operation, when (warehouse.md).

CSV with ``person_id,date,procedure,site,anesthesia`` and ISO dates, one row per planned
operation. An empty cell is a missing item (I4 then unknown unless another item is wrong);
a malformed person id or date stops the run with one line naming file, line and value.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from stromalab.core.warehouse.engines import ScheduleRow
from stromalab.core.warehouse.errors import WarehouseError

COLUMNS = ("person_id", "date", "procedure", "site", "anesthesia")


def read_schedule(path: Path) -> list[ScheduleRow]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise WarehouseError(f"schedule {path}: empty file, expected header {','.join(COLUMNS)}")
            names = [h.strip().lower() for h in header]
            for column in COLUMNS:
                if column not in names:
                    raise WarehouseError(f"schedule {path}: missing column {column}")
            index = [names.index(c) for c in COLUMNS]
            return [_row(path, reader.line_num, cells, index) for cells in reader if any(c.strip() for c in cells)]
    except OSError as exc:
        raise WarehouseError(f"cannot read schedule {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise WarehouseError(f"cannot read schedule {path}: not UTF-8 text") from None


def _row(path: Path, line: int, cells: list[str], index: list[int]) -> ScheduleRow:
    values = [cells[i].strip() if i < len(cells) else "" for i in index]
    person, day, procedure, site, anesthesia = values
    try:
        person_id = int(person)
    except ValueError:
        raise WarehouseError(f"schedule {path} line {line}: bad person_id {person!r}") from None
    return (person_id, parse_date(day, f"schedule {path} line {line}: bad date") if day else None,
            procedure or None, site or None, anesthesia or None)


def parse_date(text: str, what: str) -> date:
    """An ISO ``YYYY-MM-DD`` date, or the one-line error ``what 'text'``."""
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise WarehouseError(f"{what} {text!r} (expected YYYY-MM-DD)") from None
