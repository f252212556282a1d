"""YAML files whose values remember where they were written.

Protocol files are reviewed by investigators, so a mistake must be reported with the file,
the line and the key at fault. PyYAML's composed node tree carries line marks; we turn it into
plain Python values and keep side tables by key path: the line of each value, the line of each
mapping key, and each scalar's text as written. Used for eligibility.yaml, warehouse.yaml and the
manufacturing specifications (release.yaml, manufacturing.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

#: PyYAML's own parser, not libyaml's: the same syntax errors, lines and rules (tabs are not
#: separators) on every installation, whether or not PyYAML was built with libyaml. The files
#: are a few kilobytes and their loaders cache them, so libyaml's speed is not needed.
_Loader = yaml.SafeLoader


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
    """A loaded document plus the line on which each key path starts.

    ``texts`` keeps each scalar's text as written (``070``, ``yes``, ``2.10``) for checks that
    care about spelling rather than YAML's reading of it; ``key_lines`` is the line of the key
    that introduces each mapping entry, which differs from ``lines`` when the value starts on a
    later line.
    """

    path: Path
    value: Any
    lines: dict[str, int] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)

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
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path | str) -> Located:
    """Like :func:`load_yaml` for text already read; ``path`` names it in errors as given."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise SourceError(path, line, "", f"YAML syntax error: {exc.problem}") from exc
    if node is None:
        return Located(Path(path), None)
    converter = _Converter(path)
    value = converter.convert(node, "")
    return Located(Path(path), value, converter.lines, converter.texts, converter.key_lines)


#: tags PyYAML guesses from how a plain scalar looks; when the guess cannot be constructed
#: (``2026-13-01``, ``<<``, ``=``) the scalar stays the text it is
_GUESSED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("int", "timestamp", "merge", "value")
)
_FLOAT_TAG = "tag:yaml.org,2002:float"


class _Converter:
    """Composed nodes to plain values, filling the side tables of a :class:`Located`."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self.lines: dict[str, int] = {}
        self.texts: dict[str, str] = {}
        self.key_lines: dict[str, int] = {}
        self.constructor = yaml.constructor.SafeConstructor()  # one per document: it caches
        self.open: set[int] = set()  # nodes being converted, to refuse self-referring aliases

    def error(self, node: yaml.Node, key: str, message: str) -> SourceError:
        return SourceError(self.path, node.start_mark.line + 1, key, message)

    def convert(self, node: yaml.Node, key: str) -> Any:
        self.lines[key] = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            self.texts[key] = node.value
            return self.scalar(node, key)
        if id(node) in self.open:
            raise self.error(node, key, "an alias refers to a value that contains it")
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, key)
            return [self.convert(item, f"{key}[{i}]") for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def mapping(self, node: yaml.MappingNode, key: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.error(key_node, key, "a key must be a plain value")
            name = key_node.value  # as written: ``01``, ``yes`` and ``~`` stay what they say
            child = f"{key}.{name}" if key else name
            if name in result:
                raise self.error(key_node, child, "duplicate key")
            self.key_lines[child] = key_node.start_mark.line + 1
            result[name] = self.convert(value_node, child)
        return result

    def scalar(self, node: yaml.ScalarNode, key: str) -> Any:
        """A scalar's Python value; decimals stay exact (``29.9`` is ``Decimal("29.9")``)."""
        if node.tag == _FLOAT_TAG:
            try:
                number = Decimal(node.value.replace("_", ""))
            except InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                raise self.error(node, key, f"expected a number, got {node.value!r}")
            return number
        try:
            return self.constructor.construct_object(node)
        except Exception as exc:  # PyYAML's constructors fail in assorted ways on odd text
            if node.tag in _GUESSED_TAGS:
                return node.value
            raise self.error(node, key, f"cannot read {node.value!r} as {node.tag}") from exc
