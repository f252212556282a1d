"""A protocol's shipping plan (``protocols/<id>/shipping.yaml``): where released containers may
go, who may carry them, in what packing, and the limits the journey must keep.

The sites, couriers and packings are the choices the dispatch form offers (each with an English
and a French label, like the eligibility vocabularies); the limits are exact decimals, copied
onto each shipment when it leaves so that a later change of the file does not re-judge it.
Every mistake in the file is reported with its line and key (:class:`~..yamlsource.SourceError`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from stromalab.core.yamlsource import Located, SourceError, load_yaml

FORMAT = "stromalab-shipping/1"
#: the coldest and warmest limits a plan may state: liquid nitrogen boils at -196 °C, and no
#: cell product travels above body temperature
COLDEST_C, WARMEST_C = Decimal(-200), Decimal(40)
#: the longest transit a plan may allow (a week): anything longer is a typing error
LONGEST_TRANSIT_HOURS = Decimal(168)
_CHOICE_LISTS = ("sites", "couriers", "packings")
_KEYS = ("format", "protocol", "changes", "limits", *_CHOICE_LISTS)
_LIMIT_KEYS = ("temperature_min_c", "temperature_max_c", "max_transit_hours")


@dataclass(frozen=True, slots=True)
class Choice:
    """One value people choose (``value`` is stored), with its English and French labels."""

    value: str
    en: str
    fr: str

    def label(self, language: str) -> str:
        """The label for a language code such as ``fr`` or ``en-gb`` (English otherwise)."""
        return self.fr if language.lower().startswith("fr") else self.en


@dataclass(frozen=True, slots=True)
class Limits:
    """What a shipment must keep: every logger reading within ``[minimum, maximum]`` °C and a
    transit of at most ``max_transit_hours``."""

    temperature_min_c: Decimal
    temperature_max_c: Decimal
    max_transit_hours: Decimal


@dataclass(frozen=True, slots=True)
class ShippingPlan:
    protocol: str
    limits: Limits
    sites: tuple[Choice, ...]
    couriers: tuple[Choice, ...]
    packings: tuple[Choice, ...]

    def choice(self, kind: str, value: str) -> Choice | None:
        """The choice ``value`` of ``kind`` (``sites``, ``couriers``, ``packings``), None if absent."""
        return next((c for c in getattr(self, kind) if c.value == value), None)


def load_plan(path: Path) -> ShippingPlan:
    """The plan of ``path``, checked key by key (:class:`SourceError` names line and key)."""
    source = load_yaml(path)
    doc = source.value
    if not isinstance(doc, dict):
        raise source.error("", "the file must be a mapping")
    for key in doc:
        if key not in _KEYS:
            raise source.error(key, f"unknown key (allowed: {', '.join(sorted(_KEYS))})")
    if doc.get("format") != FORMAT:
        raise source.error("format", f"expected {FORMAT!r}, got {doc.get('format')!r}")
    protocol = doc.get("protocol")
    if protocol != path.parent.name:
        raise source.error("protocol", f"{protocol!r} does not match the folder name {path.parent.name!r}")
    lists = {kind: _choices(source, doc, kind) for kind in _CHOICE_LISTS}
    return ShippingPlan(protocol=str(protocol), limits=_limits(source, doc.get("limits")), **lists)


def _limits(source: Located, raw: Any) -> Limits:
    if not isinstance(raw, dict):
        raise source.error("limits", f"a mapping of {', '.join(_LIMIT_KEYS)}")
    values: dict[str, Decimal] = {}
    for key in raw:
        if key not in _LIMIT_KEYS:
            raise source.error(f"limits.{key}", f"unknown key (allowed: {', '.join(_LIMIT_KEYS)})")
    for key in _LIMIT_KEYS:
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise source.error(f"limits.{key}", f"a number is required, got {value!r}")
        values[key] = Decimal(value)
    low, high = values["temperature_min_c"], values["temperature_max_c"]
    if not COLDEST_C <= low < high <= WARMEST_C:
        raise source.error("limits", f"the temperature range must lie within {COLDEST_C} to {WARMEST_C} °C, "
                                     f"minimum below maximum (got {low} to {high})")
    if not 0 < values["max_transit_hours"] <= LONGEST_TRANSIT_HOURS:
        raise source.error("limits.max_transit_hours", f"more than 0 and at most {LONGEST_TRANSIT_HOURS} hours")
    return Limits(**values)


def _choices(source: Located, doc: dict[str, Any], kind: str) -> tuple[Choice, ...]:
    raw = doc.get(kind)
    if not isinstance(raw, list) or not raw:
        raise source.error(kind, "a list of at least one {value, en, fr} is required")
    out: list[Choice] = []
    for i, item in enumerate(raw):
        key = f"{kind}[{i}]"
        if not isinstance(item, dict) or set(item) != {"value", "en", "fr"}:
            raise source.error(key, "exactly the keys value, en and fr")
        texts = {k: item[k] for k in ("value", "en", "fr")}
        for name, text in texts.items():
            if not isinstance(text, str) or not text.strip() or len(text) > 120:
                raise source.error(f"{key}.{name}", "text of 1 to 120 characters")
        if not texts["value"].replace("-", "").isalnum() or not texts["value"].isascii():
            raise source.error(f"{key}.value", "letters, digits and hyphens only")
        if any(c.value == texts["value"] for c in out):
            raise source.error(f"{key}.value", f"{texts['value']!r} is listed twice")
        out.append(Choice(**texts))
    return tuple(out)


__all__ = ["FORMAT", "Choice", "Limits", "ShippingPlan", "SourceError", "load_plan"]
