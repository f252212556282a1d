"""What a database may store, checked the same way on every engine, before any row is saved.

PostgreSQL refuses a NUL character and a value longer than its column, SQLite stores both, and
neither can store a lone surrogate (``"\\ud800"`` arrives through JSON): the same input was
accepted on one engine, refused by the other, or failed with a server error. Every model save
passes through :func:`check_instance` (a ``pre_save`` receiver connected by the audit app, the
lowest layer): a text longer than its field, or holding a NUL or a lone surrogate, anywhere in
a text or JSON field, is refused as a field-keyed ValidationError naming the field's label.
Forms and API schemas keep their own limits; this is the floor under every path.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored, or None."""
    if "\x00" in value:
        return "contains a NUL character, which cannot be stored"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "contains an invalid character (a lone surrogate), which cannot be stored"
    return None


def _json_problem(value: Any) -> str | None:
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, dict):
        items: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return None
    for item in items:
        problem = _json_problem(item)
        if problem:
            return problem
    return None


def check_instance(instance: models.Model) -> None:
    """Refuse a row that one engine or the other could not store as given."""
    errors: dict[str, str] = {}  # field name → the problem (pages and API add the field's label)
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname, None)
        problem = None
        if isinstance(value, str):
            if isinstance(field, models.CharField) and field.max_length and len(value) > field.max_length:
                problem = f"at most {field.max_length} characters (got {len(value)})"
            else:
                problem = text_problem(value)
        elif isinstance(field, models.JSONField) and value is not None:
            problem = _json_problem(value)
        if problem:
            errors[field.name] = problem
    if errors:
        raise ValidationError(errors)


def refuse_unstorable_text(sender: Any, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    if not raw:  # fixtures load as they were dumped
        check_instance(instance)
