"""YAML files whose values remember where they were written.

Protocol files are reviewed by investigators, so a mistake must be reported with the file,
the line and the key at fault. PyYAML's composed node tree carries line marks; we turn it into
plain Python values and keep a side table from key path to line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

try:  # the C loader is ten times faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


class SourceError(ValueError):
    """A problem in a data file, located by file, line and key path."""

    def __init__(self, path: Path | str, line: int | None, key: str, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.key = key
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


@dataclass(frozen=True)
class Located:
    """A loaded document plus the line on which each key path starts."""

    path: Path
    value: Any
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, key: str) -> int | None:
        """Line of ``key``, or of its nearest enclosing key that has one."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = _parent(key)
        return self.lines.get("")

    def error(self, key: str, message: str) -> SourceError:
        return SourceError(self.path, self.line(key), key, message)


def _parent(key: str) -> str:
    if key.endswith("]"):
        return key[: key.rindex("[")]
    return key.rpartition(".")[0]


def load_yaml(path: Path) -> Located:
    """Load one YAML document with line numbers; syntax errors become :class:`SourceError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourceError(path, None, "", f"cannot read file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(path, None, "", "not UTF-8 text") from exc
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise SourceError(path, line, "", f"YAML syntax error: {exc.problem}") from exc
    lines: dict[str, int] = {}
    value = _convert(path, node, "", lines) if node is not None else None
    return Located(path, value, lines)


def _convert(path: Path, node: yaml.Node, key: str, lines: dict[str, int]) -> Any:
    lines[key] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            name = _scalar(path, key_node)
            if not isinstance(name, str):
                name = str(name).lower() if isinstance(name, bool) else str(name)
            child = f"{key}.{name}" if key else name
            if name in result:
                raise SourceError(path, key_node.start_mark.line + 1, child, "duplicate key")
            result[name] = _convert(path, value_node, child, lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(path, item, f"{key}[{i}]", lines) for i, item in enumerate(node.value)]
    return _scalar(path, node)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_FLOAT_TAG = "tag:yaml.org,2002:float"


def _scalar(path: Path, node: yaml.Node) -> Any:
    """A scalar's Python value; decimals stay exact (``29.9`` is ``Decimal("29.9")``)."""
    if not isinstance(node, yaml.ScalarNode):
        raise SourceError(path, node.start_mark.line + 1, "", "a key must be a plain value")
    if node.tag == _FLOAT_TAG:
        try:
            number = Decimal(node.value.replace("_", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise SourceError(path, node.start_mark.line + 1, "", f"not a finite number: {node.value}")
        return number
    return _CONSTRUCTOR.construct_object(node)
