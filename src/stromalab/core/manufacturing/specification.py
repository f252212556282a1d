"""Release specifications and in-process limits, read from a study's YAML files.

The limits are the study's, not the code's: they live in ``protocols/<study>/release.yaml`` and
``manufacturing.yaml``, are reviewed by the qualified person, and change by new version. A
mistake in such a file must be found when it is loaded, not when a batch is judged, and be
reported with the file, the line and the key, so the file is read with
:mod:`stromalab.core.yamlsource`, which keeps each key path's line and each scalar's text as
written. Numbers are taken from that text as :class:`~decimal.Decimal`, so ``2.0`` in the file
is exactly 2.0, and ``required`` must be spelled ``true`` or ``false``.

File shape (both files)::

    format: stromalab-release-specification/1   # or stromalab-in-process-limits/1
    protocol: NCT05947682
    version: "1.0"
    effective: "2026-01-01"
    changes:                                    # optional history, newest last
      - {version: "1.0", date: "2026-01-01", note: First version.}
    tests:
      - id: viability
        name: {en: Viability, fr: Viabilité}   # or one text: the English name only
        method: dye exclusion / flow cytometry
        unit: "%"
        limit: {min: 70}
        required: true
        basis: listing              # optional: where the figure comes from
        note: free text             # optional
      - id: sterility
        ...
        limit: {equals: no growth}  # the conforming value(s)
        choices:                    # optional, text limits only: every result that may be given
          - {value: no growth, en: No growth, fr: Absence de croissance}
          - {value: growth, en: Growth, fr: Croissance}

Limit kinds: ``{min: X}`` (value ≥ X), ``{max: X}`` (value ≤ X), both together for a range,
``{equals: text}``, ``{one_of: [text, ...]}``, ``{per_dose: true}`` (count ≥ the requested dose,
given when the batch is judged).

``choices`` makes a qualitative test a closed list: people pick a result instead of typing a
word that must match the limit's ("46,XX normal" is not "normal"). Each choice has the value
stored and judged, and the label shown in English and French; the limit stays the list of
conforming values, so a choice conforms exactly when the limit names it (every limit value must
be a choice, and at least one choice must not conform, or the test could never fail).

``name`` follows the same convention as the choices: ``{en: …, fr: …}`` gives the name people
read in each language. The English name is the one results, verdict reasons and signed
summaries keep (:attr:`Requirement.name`); the French one is for display only
(:meth:`Requirement.label`), so translating a name changes nothing that was judged or signed.
A single text still means an English name with no translation. ``method`` and ``unit`` take
the same two forms (``unit: {en: days, fr: jours}``): the English text is the one judged (a
result's unit must equal it) and stored; :meth:`Requirement.method_label` and
:meth:`Requirement.unit_label` give the words people read.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from stromalab.core.yamlsource import Located, SourceError, load_yaml, parse_yaml

RELEASE_FORMAT = "stromalab-release-specification/1"
IN_PROCESS_FORMAT = "stromalab-in-process-limits/1"
FORMATS = (RELEASE_FORMAT, IN_PROCESS_FORMAT)

_TOP_KEYS = {
    "format": True,
    "protocol": True,
    "version": True,
    "effective": True,
    "changes": False,
    "tests": True,
}
_CHANGE_KEYS = {"version": True, "date": True, "note": True}
_TEST_KEYS = {
    "id": True,
    "name": True,
    "method": True,
    "unit": True,
    "limit": True,
    "required": True,
    "basis": False,
    "note": False,
    "choices": False,
}
_CHOICE_KEYS = {"value": True, "en": True, "fr": True}
_NAME_KEYS = {"en": True, "fr": True}
_LIMIT_KEYS = ("min", "max", "equals", "one_of", "per_dose")
_ID = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")


class SpecificationError(SourceError):
    """A specification file that cannot be used, located by file, line and key path."""

    def __init__(self, source: str, line: int | None, key: str, problem: str) -> None:
        super().__init__(source, line, key, problem)
        self.source = source
        self.problem = problem


@dataclass(frozen=True)
class NumericLimit:
    """``min`` ≤ value ≤ ``max``, either bound optional, both inclusive."""

    minimum: Decimal | None
    maximum: Decimal | None

    def describe(self, unit: str | None) -> str:
        suffix = f" {unit}" if unit else ""
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum}–{self.maximum}{suffix}"
        if self.minimum is not None:
            return f"≥ {self.minimum}{suffix}"
        return f"≤ {self.maximum}{suffix}"


@dataclass(frozen=True)
class TextLimit:
    """The result must be one of ``allowed`` (compared ignoring case and extra spaces)."""

    allowed: tuple[str, ...]

    def describe(self, unit: str | None) -> str:
        if len(self.allowed) == 1:
            return self.allowed[0]
        return "one of: " + "; ".join(self.allowed)


@dataclass(frozen=True)
class PerDoseLimit:
    """The count must reach the dose requested for this batch (known only when judging it)."""

    def describe(self, unit: str | None) -> str:
        return f"≥ requested dose{f' ({unit})' if unit else ''}"


Limit = NumericLimit | TextLimit | PerDoseLimit


@dataclass(frozen=True)
class Choice:
    """One result a qualitative test may have: the value stored, its labels, and whether it
    conforms (the limit names it)."""

    value: str
    en: str
    fr: str
    conforms: bool

    def label(self, language: str) -> str:
        """The label in ``language`` (``fr`` or ``fr-…`` gives French, anything else English)."""
        return self.fr if is_french(language) else self.en


def is_french(language: str) -> bool:
    """Whether a language code (``fr``, ``fr-ca``, ``fr_FR``) asks for French."""
    return language.replace("_", "-").split("-")[0].lower() == "fr"


def normalized(text: str) -> str:
    """Text as results are compared: case and runs of spaces ignored."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Requirement:
    """One test (or in-process check) of a specification and its limit."""

    id: str
    name: str
    method: str
    unit: str | None
    limit: Limit
    required: bool
    basis: str | None
    note: str | None
    line: int
    #: the closed list of results of a qualitative test (empty: a number, or free text)
    choices: tuple[Choice, ...] = ()
    #: the name in French, when the file gives one (``name: {en: …, fr: …}``)
    name_fr: str | None = None
    #: the method and the unit in French, when the file gives them (``{en: …, fr: …}``)
    method_fr: str | None = None
    unit_fr: str | None = None

    def label(self, language: str) -> str:
        """The name people read in ``language``: French when asked and given, else English."""
        return self.name_fr if self.name_fr is not None and is_french(language) else self.name

    def method_label(self, language: str) -> str:
        """The method people read in ``language`` (French when asked and given)."""
        return self.method_fr if self.method_fr is not None and is_french(language) else self.method

    def unit_label(self, language: str) -> str | None:
        """The unit people read in ``language`` (``jours`` for ``days``); ``None`` without a unit."""
        return self.unit_fr if self.unit_fr is not None and is_french(language) else self.unit

    @property
    def limit_text(self) -> str:
        """The limit as shown to people, e.g. ``≥ 70 %``."""
        return self.limit.describe(self.unit)

    def choice(self, value: str) -> Choice | None:
        """The choice ``value`` names (compared ignoring case and extra spaces), if any."""
        wanted = normalized(value)
        return next((c for c in self.choices if normalized(c.value) == wanted), None)


@dataclass(frozen=True)
class Specification:
    """A loaded, validated specification file."""

    source: str
    format: str
    protocol: str
    version: str
    effective: date
    requirements: tuple[Requirement, ...]

    def requirement(self, test_id: str) -> Requirement:
        """The requirement with this id; ``KeyError`` naming the version when unknown."""
        for requirement in self.requirements:
            if requirement.id == test_id:
                return requirement
        raise KeyError(f"no test {test_id!r} in {self.source} version {self.version}")


def load_specification(path: Path) -> Specification:
    """Read and validate a specification file; every problem is a :class:`SpecificationError`."""
    try:
        located = load_yaml(path)
    except SourceError as exc:
        raise SpecificationError(str(path), exc.line, exc.key, exc.message) from exc
    return _validate(located, str(path))


def parse_specification(text: str, source: str) -> Specification:
    """Validate specification text; ``source`` names it in error messages."""
    try:
        located = parse_yaml(text, source)
    except SourceError as exc:
        raise SpecificationError(source, exc.line, exc.key, exc.message) from exc
    return _validate(located, source)


def _validate(located: Located, source: str) -> Specification:
    if "" not in located.lines:
        raise SpecificationError(source, None, "", "file is empty")
    reader = _Reader(located, source)
    top = reader.mapping(located.value, "", _TOP_KEYS)
    format_ = reader.text(top["format"], "format")
    if format_ not in FORMATS:
        raise reader.error("format", f"expected one of {', '.join(FORMATS)}")
    effective = reader.iso_date(top["effective"], "effective")
    if "changes" in top:
        reader.changes(top["changes"], "changes")
    tests = top["tests"]
    if not reader.is_list(tests, "tests") or not tests:
        raise reader.error("tests", "expected a non-empty list of tests")
    requirements: list[Requirement] = []
    seen: set[str] = set()
    for index, item in enumerate(tests):
        key = f"tests[{index}]"
        requirement = reader.requirement(item, key)
        if requirement.id in seen:
            raise reader.error(f"{key}.id", f"duplicate test id {requirement.id!r}", at=key)
        seen.add(requirement.id)
        requirements.append(requirement)
    return Specification(
        source=source,
        format=format_,
        protocol=reader.text(top["protocol"], "protocol"),
        version=reader.text(top["version"], "version"),
        effective=effective,
        requirements=tuple(requirements),
    )


class _Reader:
    """Typed access to the loaded values; scalars are judged by their text as written.

    Each method takes a value and its key path. A value is a scalar exactly when its path has a
    text in ``located.texts``; a YAML null is ``None``.
    """

    def __init__(self, located: Located, source: str) -> None:
        self.located = located
        self.source = source

    def error(self, key: str, problem: str, at: str | None = None) -> SpecificationError:
        """An error for ``key``, on the line where its value (or the value at ``at``) starts."""
        return SpecificationError(
            self.source, self.located.lines[key if at is None else at], key, problem
        )

    def scalar_text(self, key: str) -> str | None:
        return self.located.texts.get(key)

    def is_list(self, value: Any, key: str) -> bool:
        return isinstance(value, list) and key not in self.located.texts

    def mapping(self, value: Any, key: str, allowed: dict[str, bool]) -> dict[str, Any]:
        """The mapping's entries; ``allowed`` maps each known key to whether it is required."""
        if not isinstance(value, dict) or key in self.located.texts:
            raise self.error(key, "expected a mapping of keys to values")
        for name in value:
            child = f"{key}.{name}" if key else name
            if name not in allowed:
                raise SpecificationError(
                    self.source,
                    self.located.key_lines[child],
                    child,
                    f"unknown key; expected {', '.join(sorted(allowed))}",
                )
        for name, needed in allowed.items():
            if needed and name not in value:
                raise self.error(f"{key}.{name}" if key else name, "missing key", at=key)
        return value

    def text(self, value: Any, key: str) -> str:
        text = self.scalar_text(key)
        if text is None or value is None or not text.strip():
            raise self.error(key, "expected a non-empty text value")
        return text

    def optional_text(self, fields: dict[str, Any], name: str, key: str) -> str | None:
        if fields.get(name) is None:
            return None
        return self.text(fields[name], key)

    def iso_date(self, value: Any, key: str) -> date:
        text = self.text(value, key)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.error(key, f"expected a date YYYY-MM-DD, got {text!r}") from None

    def changes(self, value: Any, key: str) -> None:
        """Check the change history's shape; its content is for people, not for judging."""
        if not self.is_list(value, key):
            raise self.error(key, "expected a list of {version, date, note}")
        for index, item in enumerate(value):
            fields = self.mapping(item, f"{key}[{index}]", _CHANGE_KEYS)
            self.text(fields["version"], f"{key}[{index}].version")
            self.iso_date(fields["date"], f"{key}[{index}].date")
            self.text(fields["note"], f"{key}[{index}].note")

    def boolean(self, key: str) -> bool:
        text = self.scalar_text(key)
        if text not in ("true", "false"):
            raise self.error(key, "expected true or false")
        return text == "true"

    def number(self, value: Any, key: str) -> Decimal:
        text = self.scalar_text(key)
        if text is not None and value is not None and not isinstance(value, bool):
            try:
                number = Decimal(text)
            except InvalidOperation:
                number = None
            if number is not None and number.is_finite():
                return number
        shown = text if text is not None else "a list or mapping"
        raise self.error(key, f"expected a number, got {shown!r}")

    def requirement(self, value: Any, key: str) -> Requirement:
        fields = self.mapping(value, key, _TEST_KEYS)
        test_id = self.text(fields["id"], f"{key}.id")
        if not _ID.fullmatch(test_id):
            raise self.error(
                f"{key}.id",
                f"{test_id!r}: use small letters, digits, and - or _ between them",
            )
        limit = self.limit(fields["limit"], f"{key}.limit")
        choices: tuple[Choice, ...] = ()
        if "choices" in fields:
            choices = self.choices(fields["choices"], f"{key}.choices", limit, f"{key}.limit")
        name, name_fr = self.names(fields["name"], f"{key}.name")
        method, method_fr = self.names(fields["method"], f"{key}.method")
        unit, unit_fr = (None, None) if fields.get("unit") is None else self.names(fields["unit"], f"{key}.unit")
        return Requirement(
            id=test_id,
            name=name,
            method=method,
            unit=unit,
            limit=limit,
            required=self.boolean(f"{key}.required"),
            basis=self.optional_text(fields, "basis", f"{key}.basis"),
            note=self.optional_text(fields, "note", f"{key}.note"),
            line=self.located.lines[key],
            choices=choices,
            name_fr=name_fr,
            method_fr=method_fr,
            unit_fr=unit_fr,
        )

    def names(self, value: Any, key: str) -> tuple[str, str | None]:
        """A test's English name (method, unit) and its French one: ``{en: …, fr: …}`` (both
        required, as for choices), or a single text, the English one with no French one."""
        if self.scalar_text(key) is not None:
            return self.text(value, key), None
        fields = self.mapping(value, key, _NAME_KEYS)
        return self.text(fields["en"], f"{key}.en"), self.text(fields["fr"], f"{key}.fr")

    def choices(self, value: Any, key: str, limit: Limit, limit_key: str) -> tuple[Choice, ...]:
        """The closed list of a qualitative test; each conforms when ``limit`` names it."""
        if not isinstance(limit, TextLimit):
            raise self.error(key, "choices are for a test whose limit is equals or one_of")
        if not self.is_list(value, key) or not value:
            raise self.error(key, "expected a non-empty list of {value, en, fr}")
        conforming = {normalized(a) for a in limit.allowed}
        out: list[Choice] = []
        for index, item in enumerate(value):
            at = f"{key}[{index}]"
            fields = self.mapping(item, at, _CHOICE_KEYS)
            text = self.text(fields["value"], f"{at}.value")
            if normalized(text) in {normalized(c.value) for c in out}:
                raise self.error(f"{at}.value", f"duplicate choice {text!r}")
            out.append(Choice(text, self.text(fields["en"], f"{at}.en"),
                              self.text(fields["fr"], f"{at}.fr"), normalized(text) in conforming))
        missing = sorted(conforming - {normalized(c.value) for c in out})
        if missing:
            raise self.error(limit_key, f"{missing[0]!r} is not one of the choices")
        if all(c.conforms for c in out):
            raise self.error(key, "every choice conforms: add the result that does not")
        return tuple(out)

    def limit(self, value: Any, key: str) -> Limit:
        fields = self.mapping(value, key, dict.fromkeys(_LIMIT_KEYS, False))
        kinds = set(fields)
        if not kinds:
            raise self.error(key, f"expected one of {', '.join(_LIMIT_KEYS)}")
        if kinds <= {"min", "max"}:
            minimum = self.number(fields["min"], f"{key}.min") if "min" in fields else None
            maximum = self.number(fields["max"], f"{key}.max") if "max" in fields else None
            if minimum is not None and maximum is not None and minimum > maximum:
                raise self.error(key, f"min {minimum} is above max {maximum}")
            return NumericLimit(minimum, maximum)
        if len(kinds) > 1:
            raise self.error(
                key, f"{' and '.join(sorted(kinds))} cannot be combined (only min with max)"
            )
        (kind,) = kinds
        value = fields[kind]
        if kind == "equals":
            return TextLimit((self.text(value, f"{key}.equals"),))
        if kind == "one_of":
            if not self.is_list(value, f"{key}.one_of") or not value:
                raise self.error(f"{key}.one_of", "expected a non-empty list")
            return TextLimit(
                tuple(self.text(item, f"{key}.one_of[{i}]") for i, item in enumerate(value))
            )
        if not self.boolean(f"{key}.per_dose"):
            raise self.error(f"{key}.per_dose", "only per_dose: true is meaningful")
        return PerDoseLimit()


@functools.lru_cache(maxsize=16)
def _load_once(path: str, mtime: float) -> Specification:
    return load_specification(Path(path))


def load_current(path: Path) -> Specification:
    """The specification at ``path``, parsed again only when the file changes (its mtime): the
    pages ask for it on every request, the unit edits it rarely."""
    return _load_once(str(path), path.stat().st_mtime)
