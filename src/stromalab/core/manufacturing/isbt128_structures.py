"""ISBT 128 data structures printed on a container label, and the compound message of its 2-D symbol.

A container label carries, each as a Code 128 bar code with its data identifier (ICCBBA ST-001,
*ISBT 128 Standard Technical Specification* v6.2.2, Table 2 [RT003]):

* Donation Identification Number [001]: ``=`` + DIN (13) + flags (2), e.g. ``=G12341765432100``
  (the DIN's first character doubles as the second character of the data identifier, §2.4.1);
* Product Code [003]: ``=<`` + ``αoooo`` (Product Description Code) + ``t`` (type of collection,
  Table 7 [RT008]) + ``ds`` (division), e.g. ``=<S1234V00`` (§2.4.3);
* Expiration Date and Time [005]: ``&>`` + ``cyyjjjhhmm``: century digit (``0`` for 2000–2099),
  year in the century, ordinal ("Julian") day, hour and minute, e.g. ``&>0270612359`` (§2.4.5).

and the same structures once more in one Data Matrix symbol as a Compound Message [023]:
``=+`` + ``aa`` (how many structures follow) + ``bbb`` (``000``: sequence not specified, which
ICCBBA encourages over its table RT017 of specified sequences) + the structures concatenated,
each with its data identifier and nothing between them (§2.4.23).

**Which clock.** ST-001 fixes no time zone for [005]; the label states its expiry in the local
time of the facility that labels it, with the zone named and, for cellular therapy products that
may cross time zones, the UTC time printed beneath (§7.4.4.2). So [005] encodes the wall-clock
time of the site's time zone, the same instant as the local text printed under the bar code.
:func:`expiration_date_time` refuses a naive datetime: the caller converts to the site's zone.
A date without a time expires at 23:59 of that day (§2.4.5: the default time is ``2359``).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from stromalab.core.manufacturing.isbt128 import (
    NO_FLAGS,
    Din,
    Isbt128Error,
    parse,
    parse_division,
)

#: Table 7 [RT008]: the 6th character of a product code, the type of collection.
COLLECTION_TYPES: dict[str, str] = {
    "0": "not specified",
    "V": "volunteer homologous (allogeneic)",
    "R": "volunteer research (not for human application)",
    "S": "volunteer source",
    "T": "volunteer therapeutic",
    "P": "paid homologous (allogeneic)",
    "r": "paid research (not for human application)",
    "s": "paid source",
    "A": "autologous, eligible for crossover",
    "1": "for autologous use only",
    "X": "for autologous use only, biohazard",
    "D": "volunteer directed, eligible for crossover",
    "d": "paid directed, eligible for crossover",
    "2": "for directed recipient use only",
    "L": "for directed recipient use only, limited exposure",
    "E": "medical exception, for specified recipient only (allogeneic)",
    "Q": "see Special Testing bar code",
    "3": "for directed recipient use only, biohazard",
    "4": "designated",
    "5": "dedicated",
    "6": "designated, biohazard",
    "F": "family reserved",
    "C": "replacement",
    "7": "for allogeneic use",
    "8": "for autologous use, contains allogeneic material",
    "B": "directed/dedicated/designated collection use only",
    "H": "directed/dedicated/designated collection, biohazardous",
    "J": "directed/dedicated/designated collection, eligible for crossover",
    "G": "for emergency use only",
}
#: Product Description Code prefixes whose ``tds`` is collection type + division (§2.4.3):
#: blood (E, F), MPHO with INN/USAN names (H), cellular therapy (S), regenerated tissue (P),
#: plasma derivatives (X0) and clinical trials (YA-YZ). Tissues, organs, milk... use a 3-digit
#: division instead, which these labels do not print.
_TYPED_PREFIXES = ("E", "F", "H", "S", "P", "X0", *(f"Y{c}" for c in string.ascii_uppercase))
#: Compound message [023] element ``bbb`` for "sequence not specified".
UNSPECIFIED_SEQUENCE = "000"
_MAX_STRUCTURES = 99
_ALPHANUMERIC = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class DataStructure:
    """One ISBT 128 data structure: its number (``"005"``), data identifier and data content.

    ``data`` is what the bar code encodes and a scanner sends. For [001] the identifier is the
    single ``=``: the DIN's first character is both the identifier's second character and the
    first character of the content, so it is written once.
    """

    number: str
    identifier: str
    content: str

    @property
    def data(self) -> str:
        return self.identifier + self.content


def donation_identification_number(din: Din, flags: str = NO_FLAGS) -> DataStructure:
    """[001] ``=`` + DIN + flags; check-value (type 3) flags must match the DIN."""
    data = din.barcode_data(flags)
    parse(data)  # validates the flags, and type 3 flags against the DIN's check value
    return DataStructure("001", "=", data[1:])


def product_code(description_code: str, collection_type: str, division: str) -> DataStructure:
    """[003] ``=<`` + Product Description Code + type of collection + division, e.g. ``=<S1234V00``."""
    valid = (
        len(description_code) == 5
        and description_code[0] in string.ascii_uppercase
        and all(c in _ALPHANUMERIC for c in description_code[1:])
    )
    if not valid:
        raise Isbt128Error(
            "product code",
            f"expected a capital letter then 4 capital letters or digits (e.g. S1234), "
            f"got {description_code!r}",
        )
    if not description_code.startswith(_TYPED_PREFIXES):
        raise Isbt128Error(
            "product code",
            f"{description_code} does not carry a type of collection and a division "
            "(only E, F, H, S, P, X0 and YA-YZ product codes do)",
        )
    if collection_type not in COLLECTION_TYPES:
        raise Isbt128Error(
            "collection type", f"{collection_type!r} is not a type of collection of ISBT 128 table RT008"
        )
    return DataStructure("003", "=<", description_code + collection_type + parse_division(division))


def expiration_date_time(local: datetime) -> DataStructure:
    """[005] ``&>cyyjjjhhmm`` for ``local``, an aware datetime in the site's time zone."""
    if local.tzinfo is None or local.utcoffset() is None:
        raise Isbt128Error(
            "expiration", "a date and time without a time zone is ambiguous; give it in the site's zone"
        )
    if not 2000 <= local.year <= 2999:
        raise Isbt128Error("expiration", f"the century digit covers 2000-2999, got {local.year}")
    day = local.timetuple().tm_yday
    content = f"{local.year // 100 - 20}{local.year % 100:02d}{day:03d}{local:%H%M}"
    return DataStructure("005", "&>", content)


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """23:59 of ``day`` in ``zone``: when a product expires on a date without a time (§2.4.5)."""
    return datetime.combine(day, time(23, 59), tzinfo=zone)


def compound_message(structures: Sequence[DataStructure]) -> str:
    """[023] ``=+`` + count + ``000`` + the structures concatenated: one 2-D symbol's data."""
    if not 1 <= len(structures) <= _MAX_STRUCTURES:
        raise Isbt128Error(
            "compound message", f"carries 1 to {_MAX_STRUCTURES} data structures, got {len(structures)}"
        )
    if any(s.number == "023" for s in structures):
        raise Isbt128Error("compound message", "a compound message cannot contain another one")
    header = f"=+{len(structures):02d}{UNSPECIFIED_SEQUENCE}"
    return header + "".join(s.data for s in structures)
