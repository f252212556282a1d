"""YAML with line numbers: side tables, and odd scalars that must not escape as crashes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from stromalab.core.yamlsource import SourceError, parse_yaml


def test_lines_texts_and_key_lines() -> None:
    located = parse_yaml("a:\n  b: 070\nc: [2.10, yes]\n", "x.yaml")
    assert located.value == {"a": {"b": 56}, "c": [Decimal("2.10"), True]}
    assert located.lines == {"": 1, "a": 2, "a.b": 2, "c": 3, "c[0]": 3, "c[1]": 3}
    assert located.key_lines == {"a": 1, "a.b": 2, "c": 3}
    assert located.texts == {"a.b": "070", "c[0]": "2.10", "c[1]": "yes"}


def test_scalars_that_only_look_like_dates_stay_text() -> None:
    located = parse_yaml("good: 2026-01-01\nbad: 2026-13-01\nmerge: <<\n", "x.yaml")
    assert located.value == {"good": date(2026, 1, 1), "bad": "2026-13-01", "merge": "<<"}


def test_keys_are_named_as_written() -> None:
    assert list(parse_yaml("01: a\nyes: b\n~: c\n", "x.yaml").value) == ["01", "yes", "~"]


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        ("a: 1\nb:\n  c: .nan\n", 3, "b.c", "expected a number, got '.nan'"),
        ("a: 1\nb: !foo x\n", 2, "b", "cannot read 'x' as !foo"),
        ("a: &x [1, *x]\n", 1, "a[1]", "an alias refers to a value that contains it"),
        ("a: 1\n[b]: 2\n", 2, "", "a key must be a plain value"),
        ("a: 1\na: 2\n", 2, "a", "duplicate key"),
        ("a: [\n", 2, "", "YAML syntax error"),
    ],
)
def test_errors_name_line_and_key(text: str, line: int, key: str, words: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml(text, "x.yaml")
    assert (caught.value.path, caught.value.line, caught.value.key) == ("x.yaml", line, key)
    assert words in caught.value.message
