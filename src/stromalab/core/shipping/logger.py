"""A shipment's temperature logger: its CSV export read, and the journey judged against the limits.

The file has a header ``time,temperature_c`` and one reading per row. French spreadsheets write
``;`` between columns and a decimal comma (``-182,5``): a header with ``;`` selects that dialect.
A time is ISO 8601 (``2026-03-01T10:00:00+01:00``, ``2026-03-01 10:00``) or ``DD/MM/YYYY HH:MM``
(seconds optional); one without an offset is read in the site's time zone. Readings must be
plausible for a logger (``-200`` to ``60`` °C), in time order and not later than ``latest``.
The first row that breaks a rule refuses the whole file with a :class:`LoggerFileError` naming
that row (the header is row 1), so nothing of a malformed file is kept.

:func:`temperature_excursion` and :func:`transit_excursion` compare with the plan's
:class:`~.plan.Limits`; each returns an :class:`Excursion` (what was found, the limit) or None.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .plan import Limits

HEADER = ("time", "temperature_c")
#: what a temperature logger can physically report: colder than liquid nitrogen or warmer than a
#: hot summer van is a faulty probe or a typing error, refused rather than judged
PLAUSIBLE_MIN_C, PLAUSIBLE_MAX_C = Decimal(-200), Decimal(60)
#: more readings than a month of one per minute is not one shipment's logger
MAX_READINGS = 50_000
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_DAY_FIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


class LoggerFileError(ValueError):
    """A logger file refused: ``kind`` says which rule (the web layer words it in the reader's
    language from ``kind`` and ``params``), ``row`` the row at fault (None: the whole file)."""

    def __init__(self, kind: str, message: str, row: int | None = None, **params: str) -> None:
        self.kind, self.row, self.params = kind, row, {"row": str(row or ""), **params}
        super().__init__(f"row {row}: {message}" if row else message)


@dataclass(frozen=True, slots=True)
class Reading:
    at: dt.datetime  # aware
    temperature_c: Decimal


@dataclass(frozen=True, slots=True)
class Excursion:
    """A departure from the limits: ``check`` is ``temperature`` or ``transit``; ``value`` and
    ``limit`` are as shown to people; ``readings`` the readings outside the range (temperature)."""

    check: str
    value: str
    limit: str
    readings: tuple[Reading, ...] = field(default=())


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoggerFileError("encoding", "the file is not UTF-8 text (save the CSV as UTF-8)") from None


def _time(text: str, row: int, zone: dt.tzinfo) -> dt.datetime:
    value = text.strip()
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        for fmt in _DAY_FIRST:
            try:
                at = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        else:
            raise LoggerFileError("time", f"time {value!r} is not a date and time (2026-03-01T10:00:00+01:00 "
                                          "or 01/03/2026 10:00)", row, value=value[:40]) from None
    return at if at.tzinfo is not None else at.replace(tzinfo=zone)


def _temperature(text: str, row: int, decimal_comma: bool) -> Decimal:
    value = text.strip().replace("\u2212", "-")
    if decimal_comma:
        value = value.replace(",", ".")
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise LoggerFileError("temperature", f"temperature {text.strip()!r} is not a number", row,
                              value=text.strip()[:40])
    if not PLAUSIBLE_MIN_C <= number <= PLAUSIBLE_MAX_C:
        raise LoggerFileError("plausible", f"temperature {number} °C is not a plausible logger reading "
                                           f"({PLAUSIBLE_MIN_C} to {PLAUSIBLE_MAX_C} °C)", row, value=str(number))
    return number


def read_logger_csv(data: bytes, *, zone: dt.tzinfo, latest: dt.datetime) -> tuple[Reading, ...]:
    """The readings of a logger CSV export, in time order (:class:`LoggerFileError` otherwise)."""
    text = _text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = tuple(cell.strip().lower() for cell in next(rows))
    except StopIteration:
        raise LoggerFileError("empty", "the file is empty") from None
    except csv.Error as e:
        raise LoggerFileError("columns", f"not a CSV file ({e})", 1) from None
    if header != HEADER:
        raise LoggerFileError("header", "the first row must name the columns time and temperature_c", 1)
    readings: list[Reading] = []
    row = 1
    try:
        for cells in rows:
            row = rows.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line (often the last one)
            if len(cells) != 2:
                raise LoggerFileError("columns", f"{len(cells)} columns, expected 2 (time, temperature_c)", row,
                                      count=str(len(cells)))
            if len(readings) == MAX_READINGS:
                raise LoggerFileError("too_many", f"more than {MAX_READINGS} readings", row,
                                      count=str(MAX_READINGS))
            at = _time(cells[0], row, zone)
            if not EARLIEST <= at <= latest:
                raise LoggerFileError("when", f"time {at.isoformat()} is before 2000 or in the future", row,
                                      value=at.isoformat())
            if readings and at <= readings[-1].at:
                raise LoggerFileError("order", "time not after the previous row's: readings must be in time order",
                                      row)
            readings.append(Reading(at, _temperature(cells[1], row, delimiter == ";")))
    except csv.Error as e:
        raise LoggerFileError("columns", f"not a CSV row ({e})", rows.line_num) from None
    if not readings:
        raise LoggerFileError("empty", "no readings under the header")
    return tuple(readings)


def _degrees(value: Decimal) -> str:
    return f"{value.normalize():f} °C"


def temperature_excursion(readings: tuple[Reading, ...], limits: Limits) -> Excursion | None:
    """The readings outside ``[minimum, maximum]``, with the one farthest outside as the value."""
    low, high = limits.temperature_min_c, limits.temperature_max_c
    outside = tuple(r for r in readings if not low <= r.temperature_c <= high)
    if not outside:
        return None
    worst = max(outside, key=lambda r: max(low - r.temperature_c, r.temperature_c - high))
    return Excursion("temperature", _degrees(worst.temperature_c), f"{_degrees(low)} to {_degrees(high)}", outside)


def transit_excursion(dispatched_at: dt.datetime, received_at: dt.datetime, limits: Limits) -> Excursion | None:
    """The transit when it lasted longer than the plan allows (hours, one decimal)."""
    hours = Decimal((received_at - dispatched_at).total_seconds()) / 3600
    if hours <= limits.max_transit_hours:
        return None
    return Excursion("transit", f"{hours.quantize(Decimal('0.1'))} h", f"≤ {limits.max_transit_hours.normalize():f} h")
