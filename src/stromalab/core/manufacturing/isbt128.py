"""ISBT 128 Donation Identification Numbers (DIN): check characters, parsing, assignment, divisions.

The DIN is the chain of identity from the operating room to the vial, so every way it enters
the system (typed from a printed label, scanned from a barcode, assigned by us) goes through
this module and is checked the same way.

Forms understood by :func:`parse`:

* printed / typed: ``G1234 17 654321``, optionally followed by the two flag characters and the
  boxed check character, ``G1234 17 654321 00 A``. Whitespace is ignored and letters are
  upper-cased, so the four possible lengths (13, 14, 15, 16 characters without spaces) are
  DIN, DIN + check, DIN + flags, DIN + flags + check;
* scanned barcode data, ISBT 128 data structure 001: ``=`` + DIN + 2 flag characters, exactly
  as the scanner sends it (``=G12341765432100``). No whitespace or case folding here: a
  scanner that changes the data is broken and should be noticed.

Flag characters ``60``–``96`` carry the check value (60 + MOD 37-2 checksum: ISBT 128 "type 3"
flags, ST-001 v6.2.2 §2.4.1 and Appendix A.2); such flags are validated like a printed check
character, and are never printed (ST-001 §7.4.1).

Divisions (see :func:`division_codes`) follow the product-code division concept of ISBT 128
(data structure 003, last two characters): ``00`` undivided; one level ``A0``…``Z0``; two levels
``Aa``…``Zz``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Literal

from stdnum.iso7064 import mod_37_2

#: ISO/IEC 7064 MOD 37-2 alphabet: the index of a character is its check value.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
#: The largest sequence number a DIN can carry; assigning beyond it is an error.
MAX_SEQUENCE = 999_999
#: Flags meaning "no flag".
NO_FLAGS = "00"
#: Flag values 60..96 encode the check value (type 3 flags).
_CHECK_FLAG_OFFSET = 60
#: The most containers one division scheme can number (26 first-level x 26 second-level).
MAX_DIVISIONS = 26 * 26


class Isbt128Error(ValueError):
    """A DIN, flag, check character or division that is malformed or inconsistent.

    ``field`` names the part at fault (``FIN``, ``year``, ``sequence``, ``flags``,
    ``check character``, ``barcode``, ``DIN``, ``division``, ``product code``) and ``problem``
    says what is wrong, so the message can be shown to an operator as is.
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"{field}: {problem}")


@dataclass(frozen=True)
class Din:
    """A Donation Identification Number: facility (FIN), 2-digit year, 6-digit sequence."""

    fin: str
    year: int
    sequence: int

    def __post_init__(self) -> None:
        _check_fin(self.fin)
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise Isbt128Error("year", f"must be an integer, got {self.year!r}")
        if not 0 <= self.year <= 99:
            raise Isbt128Error("year", f"must be two digits (0-99), got {self.year}")
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int):
            raise Isbt128Error("sequence", f"must be an integer, got {self.sequence!r}")
        if not 0 <= self.sequence <= MAX_SEQUENCE:
            raise Isbt128Error("sequence", f"must be six digits (0-999999), got {self.sequence}")

    @property
    def text(self) -> str:
        """The 13 characters, e.g. ``G123417654321``."""
        return f"{self.fin}{self.year:02d}{self.sequence:06d}"

    @property
    def check_character(self) -> str:
        """The ISO/IEC 7064 MOD 37-2 check character printed boxed after the DIN."""
        return check_character(self.text)

    @property
    def spaced(self) -> str:
        """The 13 characters as printed under the bar code: ``G1234 17 654321``."""
        return f"{self.fin} {self.year:02d} {self.sequence:06d}"

    def printed(self, flags: str = NO_FLAGS) -> str:
        """The eye-readable form without the check character: ``G1234 17 654321 00``."""
        _check_flags(flags)
        return f"{self.spaced} {flags}"

    def barcode_data(self, flags: str = NO_FLAGS) -> str:
        """Data structure 001 as encoded in the Code 128 barcode: ``=G12341765432100``."""
        _check_flags(flags)
        return f"={self.text}{flags}"

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class DinReading:
    """What was read from a label or a scanner, after validation.

    ``flags`` and ``check_character`` are ``None`` when the input did not carry them; when
    present, the check character (or type 3 flags) has been verified against the DIN.
    """

    din: Din
    flags: str | None
    check_character: str | None
    source: Literal["printed", "scanned"]


@dataclass(frozen=True)
class ContainerId:
    """One container: the donation's DIN, the ISBT 128 product code and the division code.

    Every container of a donation keeps the DIN, so "which donation is in this vial?" is the
    ``din`` field and "where did this donation go?" is every container with that ``din``.
    """

    din: Din
    product_code: str
    division: str

    def __post_init__(self) -> None:
        _check_product_code(self.product_code)
        parse_division(self.division)

    @property
    def text(self) -> str:
        """``G123417654321 S1234 A0``: unique per container."""
        return f"{self.din.text} {self.product_code} {self.division}"


def check_character(din: str) -> str:
    """MOD 37-2 check character of a 13-character DIN (``G123417654321`` gives ``A``)."""
    parse_din(din)
    return mod_37_2.calc_check_digit(din, alphabet=ALPHABET)


def check_flags(din: Din) -> str:
    """The type 3 flag characters that encode ``din``'s check value (60 + value)."""
    return f"{_CHECK_FLAG_OFFSET + ALPHABET.index(din.check_character):02d}"


def parse_din(text: str) -> Din:
    """Parse exactly 13 DIN characters (no spaces, upper case)."""
    if len(text) != 13:
        raise Isbt128Error("DIN", f"expected 13 characters, got {len(text)} in {text!r}")
    year, sequence = text[5:7], text[7:]
    _check_fin(text[:5])
    if not _is_digits(year):
        raise Isbt128Error("year", f"expected 2 digits, got {year!r}")
    if not _is_digits(sequence):
        raise Isbt128Error("sequence", f"expected 6 digits, got {sequence!r}")
    return Din(text[:5], int(year), int(sequence))


def parse(text: str) -> DinReading:
    """Read a DIN as printed/typed or as scanned barcode data (see the module docstring)."""
    if text.startswith("="):
        return _parse_scanned(text)
    return _parse_printed(text)


def _parse_scanned(text: str) -> DinReading:
    if len(text) != 16:
        raise Isbt128Error(
            "barcode",
            f"data structure 001 is '=' + 13 DIN characters + 2 flag characters "
            f"(16 characters), got {len(text)} in {text!r}",
        )
    din = parse_din(text[1:14])
    flags = text[14:]
    _check_flags(flags)
    check = None
    if _CHECK_FLAG_OFFSET <= int(flags) < _CHECK_FLAG_OFFSET + len(ALPHABET):
        expected = check_flags(din)
        if flags != expected:
            raise Isbt128Error(
                "flags", f"check flags {flags} do not match DIN {din.text} (expected {expected})"
            )
        check = din.check_character
    return DinReading(din, flags, check, "scanned")


def _parse_printed(text: str) -> DinReading:
    compact = "".join(text.split()).upper()
    if len(compact) not in (13, 14, 15, 16):
        raise Isbt128Error(
            "DIN",
            f"expected 13 characters (e.g. G1234 17 654321), optionally followed by 2 flag "
            f"characters and a check character; got {len(compact)} in {text!r}",
        )
    din = parse_din(compact[:13])
    rest = compact[13:]
    flags = rest[:2] if len(rest) >= 2 else None
    check = rest[-1] if len(rest) % 2 == 1 else None
    if flags is not None:
        _check_flags(flags)
    if check is not None:
        verify_check_character(din, check)
    return DinReading(din, flags, check, "printed")


def verify_check_character(din: Din, check: str) -> None:
    """Raise :class:`Isbt128Error` unless ``check`` is ``din``'s check character."""
    if len(check) != 1 or check not in ALPHABET:
        raise Isbt128Error("check character", f"{check!r} is not one of 0-9, A-Z, *")
    expected = din.check_character
    if check != expected:
        raise Isbt128Error(
            "check character",
            f"{check} does not match DIN {din.text} (expected {expected}): "
            "a character was misread or mistyped",
        )


def next_din(fin: str, year: int, last_sequence: int | None) -> Din:
    """The DIN after ``last_sequence`` for this facility and year (``None``: none assigned yet).

    Sequences start at 1 and are never reused; the caller persists the last one in the same
    transaction that records the new DIN. Running out of the 6 digits is an error, not a wrap.
    """
    if last_sequence is None:
        return Din(fin, year, 1)
    if isinstance(last_sequence, bool) or not isinstance(last_sequence, int):
        raise Isbt128Error("sequence", f"last sequence must be an integer, got {last_sequence!r}")
    if not 0 <= last_sequence <= MAX_SEQUENCE:
        raise Isbt128Error(
            "sequence", f"last sequence must be between 0 and {MAX_SEQUENCE}, got {last_sequence}"
        )
    if last_sequence == MAX_SEQUENCE:
        raise Isbt128Error(
            "sequence",
            f"all {MAX_SEQUENCE} sequence numbers of {fin} year {year:02d} are used; "
            "a new DIN needs another year or facility identification number",
        )
    return Din(fin, year, last_sequence + 1)


def division_codes(count: int) -> tuple[str, ...]:
    """Division codes for a donation's product filled into ``count`` containers.

    One container is undivided (``00``); up to 26 use one level (``A0``…``Z0``); up to 676
    use two levels in order ``Aa``, ``Ab``, …, ``Az``, ``Ba``, …, ``Zz``.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise Isbt128Error("division", f"container count must be a positive integer, got {count!r}")
    if count > MAX_DIVISIONS:
        raise Isbt128Error(
            "division", f"at most {MAX_DIVISIONS} containers can be numbered, got {count}"
        )
    upper, lower = string.ascii_uppercase, string.ascii_lowercase
    if count == 1:
        return ("00",)
    if count <= len(upper):
        return tuple(f"{upper[i]}0" for i in range(count))
    return tuple(f"{upper[i // 26]}{lower[i % 26]}" for i in range(count))


def parse_division(code: str) -> str:
    """Validate a division code (``00``, ``A0``…``Z0`` or ``Aa``…``Zz``) and return it."""
    valid = len(code) == 2 and (
        code == "00"
        or (code[0] in string.ascii_uppercase and code[1] in "0" + string.ascii_lowercase)
    )
    if not valid:
        raise Isbt128Error(
            "division", f"expected 00, A0-Z0 or Aa-Zz (capital then small letter), got {code!r}"
        )
    return code


def container_ids(din: Din, product_code: str, count: int) -> tuple[ContainerId, ...]:
    """One identifier per container of a product filled into ``count`` containers."""
    return tuple(ContainerId(din, product_code, code) for code in division_codes(count))


def _check_fin(fin: str) -> None:
    if len(fin) != 5 or fin[0] not in string.ascii_uppercase or not _is_digits(fin[1:]):
        raise Isbt128Error(
            "FIN", f"expected a capital letter then 4 digits (e.g. G1234), got {fin!r}"
        )


def _check_flags(flags: str) -> None:
    if len(flags) != 2 or not _is_digits(flags):
        raise Isbt128Error("flags", f"expected 2 digits (00 when unused), got {flags!r}")


def _check_product_code(code: str) -> None:
    if len(code) != 5 or code[0] not in string.ascii_uppercase or not _is_digits(code[1:]):
        raise Isbt128Error(
            "product code", f"expected a capital letter then 4 digits (e.g. S1234), got {code!r}"
        )


def _is_digits(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts superscripts and other scripts."""
    return bool(text) and all(c in string.digits for c in text)
