"""Code lists: ICD-10 categories, ranges and subdivisions; ATC prefixes.

Matching rules (screening contract): ICD-10 ranges compare the three-character category
(``C50.9`` is in C00–C97); a listed code with a decimal (``D68.1``) matches itself and its
subdivisions; ATC codes match by prefix. Codes are compared without regard to letter case,
and ICD-10 codes with or without their dot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ICD10 = "ICD10"
ATC = "ATC"
SYSTEMS = (ICD10, ATC)

_ICD10_CATEGORY = re.compile(r"[A-Z][0-9][0-9A-Z]")
_ICD10_CODE = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?")
_ATC_CODE = re.compile(r"[A-Z](?:[0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?)?")


def normalize(system: str, code: str) -> str | None:
    """The comparable form of a code (upper case, ICD-10 without its dot), or None if malformed."""
    code = code.strip().upper()
    if system == ICD10:
        if not _ICD10_CODE.fullmatch(code):
            return None
        return code.replace(".", "")
    if system == ATC:
        return code if _ATC_CODE.fullmatch(code) else None
    return code


@dataclass(frozen=True, slots=True)
class CodeList:
    """A named set of codes of one system, compiled for fast membership tests."""

    name: str
    system: str
    entries: tuple[str, ...]
    title: str = ""
    categories: frozenset[str] = frozenset()
    ranges: tuple[tuple[str, str], ...] = ()
    prefixes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How reasons name the list: its title in running text, else its name."""
        text = self.title or self.name
        return text[:1].lower() + text[1:]

    @classmethod
    def build(cls, name: str, system: str, entries: tuple[str, ...], title: str = "") -> CodeList:
        """Compile ``entries``; raises ValueError naming the first malformed entry."""
        categories: set[str] = set()
        ranges: list[tuple[str, str]] = []
        prefixes: list[str] = []
        for entry in entries:
            text = entry.strip().upper()
            if system == ICD10:
                low, sep, high = text.partition("-")
                if sep:
                    if not (_ICD10_CATEGORY.fullmatch(low) and _ICD10_CATEGORY.fullmatch(high)):
                        raise ValueError(f"ICD-10 range {entry!r} must join two 3-character categories")
                    if low > high:
                        raise ValueError(f"ICD-10 range {entry!r} is empty (start after end)")
                    ranges.append((low, high))
                elif _ICD10_CATEGORY.fullmatch(text):
                    categories.add(text)
                elif _ICD10_CODE.fullmatch(text):
                    prefixes.append(text.replace(".", ""))
                else:
                    raise ValueError(f"{entry!r} is not an ICD-10 code, category or range")
            elif system == ATC:
                if not _ATC_CODE.fullmatch(text):
                    raise ValueError(f"{entry!r} is not an ATC code")
                prefixes.append(text)
            else:
                raise ValueError(f"unknown code system {system!r} (expected one of {', '.join(SYSTEMS)})")
        return cls(name, system, entries, title, frozenset(categories), tuple(ranges), tuple(prefixes))

    def matches(self, normalized_code: str) -> bool:
        """Whether a code already in :func:`normalize` form belongs to this list."""
        if self.system == ICD10:
            category = normalized_code[:3]
            if category in self.categories:
                return True
            for low, high in self.ranges:
                if low <= category <= high:
                    return True
        return normalized_code.startswith(self.prefixes) if self.prefixes else False
