"""Release specifications and in-process limits, read from a study's YAML files.

The limits are the study's, not the code's: they live in ``protocols/<study>/release.yaml`` and
``manufacturing.yaml``, are reviewed by the qualified person, and change by new version. A
mistake in such a file must be found when it is loaded, not when a batch is judged, and be
reported with the file, the line and the key, so this module walks PyYAML's composed node tree
(which keeps line marks) rather than the constructed Python values. Numbers are taken from the
scalar's text as :class:`~decimal.Decimal`, so ``2.0`` in the file is exactly 2.0.

File shape (both files)::

    format: stromalab-release-specification/1   # or stromalab-in-process-limits/1
    protocol: NCT05947682
    version: "1.0"
    effective: "2026-01-01"
    changes:                                    # optional history, newest last
      - {version: "1.0", date: "2026-01-01", note: First version.}
    tests:
      - id: viability
        name: Viability
        method: dye exclusion / flow cytometry
        unit: "%"
        limit: {min: 70}
        required: true
        basis: listing              # optional: where the figure comes from
        note: free text             # optional

Limit kinds: ``{min: X}`` (value ≥ X), ``{max: X}`` (value ≤ X), both together for a range,
``{equals: text}``, ``{one_of: [text, ...]}``, ``{per_dose: true}`` (count ≥ the requested dose,
given when the batch is judged).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

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
}
_LIMIT_KEYS = ("min", "max", "equals", "one_of", "per_dose")
_ID = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"


class SpecificationError(ValueError):
    """A specification file that cannot be used, located by file, line and key path."""

    def __init__(self, source: str, line: int | None, key: str, problem: str) -> None:
        self.source = source
        self.line = line
        self.key = key
        self.problem = problem
        where = source if line is None else f"{source}:{line}"
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


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

    @property
    def limit_text(self) -> str:
        """The limit as shown to people, e.g. ``≥ 70 %``."""
        return self.limit.describe(self.unit)


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
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SpecificationError(str(path), None, "", f"cannot read file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise SpecificationError(str(path), None, "", "not UTF-8 text") from exc
    return parse_specification(text, str(path))


def parse_specification(text: str, source: str) -> Specification:
    """Validate specification text; ``source`` names it in error messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        raise SpecificationError(source, line, "", f"YAML syntax error: {exc.problem}") from exc
    if root is None:
        raise SpecificationError(source, None, "", "file is empty")
    reader = _Reader(source)
    top = reader.mapping(root, "", _TOP_KEYS)
    format_ = reader.text(top["format"], "format")
    if format_ not in FORMATS:
        raise reader.error(top["format"], "format", f"expected one of {', '.join(FORMATS)}")
    effective = reader.iso_date(top["effective"], "effective")
    if "changes" in top:
        reader.changes(top["changes"], "changes")
    tests = top["tests"]
    if not isinstance(tests, yaml.SequenceNode) or not tests.value:
        raise reader.error(tests, "tests", "expected a non-empty list of tests")
    requirements: list[Requirement] = []
    seen: set[str] = set()
    for index, node in enumerate(tests.value):
        requirement = reader.requirement(node, f"tests[{index}]")
        if requirement.id in seen:
            raise reader.error(node, f"tests[{index}].id", f"duplicate test id {requirement.id!r}")
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
    """Typed access to composed YAML nodes, raising errors that point at the node."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, node: yaml.Node, key: str, problem: str) -> SpecificationError:
        return SpecificationError(self.source, node.start_mark.line + 1, key, problem)

    def mapping(
        self, node: yaml.Node, key: str, allowed: dict[str, bool]
    ) -> dict[str, yaml.Node]:
        """Keys to value nodes; ``allowed`` maps each known key to whether it is required."""
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, key, "expected a mapping of keys to values")
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "(mapping)"
            child = f"{key}.{name}" if key else name
            if name not in allowed:
                raise self.error(
                    key_node,
                    child,
                    f"unknown key; expected {', '.join(sorted(allowed))}",
                )
            if name in result:
                raise self.error(key_node, child, "duplicate key")
            result[name] = value_node
        for name, needed in allowed.items():
            if needed and name not in result:
                raise self.error(node, f"{key}.{name}" if key else name, "missing key")
        return result

    def text(self, node: yaml.Node, key: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL or not node.value.strip():
            raise self.error(node, key, "expected a non-empty text value")
        return str(node.value)

    def optional_text(self, node: yaml.Node | None, key: str) -> str | None:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            return None
        return self.text(node, key)

    def iso_date(self, node: yaml.Node, key: str) -> date:
        text = self.text(node, key)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise self.error(node, key, f"expected a date YYYY-MM-DD, got {text!r}") from None

    def changes(self, node: yaml.Node, key: str) -> None:
        """Check the change history's shape; its content is for people, not for judging."""
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, key, "expected a list of {version, date, note}")
        for index, item in enumerate(node.value):
            fields = self.mapping(item, f"{key}[{index}]", _CHANGE_KEYS)
            self.text(fields["version"], f"{key}[{index}].version")
            self.iso_date(fields["date"], f"{key}[{index}].date")
            self.text(fields["note"], f"{key}[{index}].note")

    def boolean(self, node: yaml.Node, key: str) -> bool:
        if not isinstance(node, yaml.ScalarNode) or node.value not in ("true", "false"):
            raise self.error(node, key, "expected true or false")
        return bool(node.value == "true")

    def number(self, node: yaml.Node, key: str) -> Decimal:
        if isinstance(node, yaml.ScalarNode) and node.tag not in (_NULL, _BOOL):
            try:
                number = Decimal(node.value)
            except InvalidOperation:
                number = None
            if number is not None and number.is_finite():
                return number
        value = node.value if isinstance(node, yaml.ScalarNode) else "a list or mapping"
        raise self.error(node, key, f"expected a number, got {value!r}")

    def requirement(self, node: yaml.Node, key: str) -> Requirement:
        fields = self.mapping(node, key, _TEST_KEYS)
        test_id = self.text(fields["id"], f"{key}.id")
        if not _ID.fullmatch(test_id):
            raise self.error(
                fields["id"],
                f"{key}.id",
                f"{test_id!r}: use small letters, digits, and - or _ between them",
            )
        return Requirement(
            id=test_id,
            name=self.text(fields["name"], f"{key}.name"),
            method=self.text(fields["method"], f"{key}.method"),
            unit=self.optional_text(fields["unit"], f"{key}.unit"),
            limit=self.limit(fields["limit"], f"{key}.limit"),
            required=self.boolean(fields["required"], f"{key}.required"),
            basis=self.optional_text(fields.get("basis"), f"{key}.basis"),
            note=self.optional_text(fields.get("note"), f"{key}.note"),
            line=node.start_mark.line + 1,
        )

    def limit(self, node: yaml.Node, key: str) -> Limit:
        fields = self.mapping(node, key, dict.fromkeys(_LIMIT_KEYS, False))
        kinds = set(fields)
        if not kinds:
            raise self.error(node, key, f"expected one of {', '.join(_LIMIT_KEYS)}")
        if kinds <= {"min", "max"}:
            minimum = self.number(fields["min"], f"{key}.min") if "min" in fields else None
            maximum = self.number(fields["max"], f"{key}.max") if "max" in fields else None
            if minimum is not None and maximum is not None and minimum > maximum:
                raise self.error(node, key, f"min {minimum} is above max {maximum}")
            return NumericLimit(minimum, maximum)
        if len(kinds) > 1:
            raise self.error(
                node, key, f"{' and '.join(sorted(kinds))} cannot be combined (only min with max)"
            )
        (kind,) = kinds
        value = fields[kind]
        if kind == "equals":
            return TextLimit((self.text(value, f"{key}.equals"),))
        if kind == "one_of":
            if not isinstance(value, yaml.SequenceNode) or not value.value:
                raise self.error(value, f"{key}.one_of", "expected a non-empty list")
            return TextLimit(
                tuple(self.text(item, f"{key}.one_of[{i}]") for i, item in enumerate(value.value))
            )
        if not self.boolean(value, f"{key}.per_dose"):
            raise self.error(value, f"{key}.per_dose", "only per_dose: true is meaningful")
        return PerDoseLimit()
