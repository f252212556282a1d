"""The shipping plan of a study: ``protocols/<study>/shipping.yaml`` (sites, couriers, packings,
limits), read by the core and cached until the file changes."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from stromalab.core.shipping.plan import ShippingPlan, SourceError, load_plan
from stromalab.web.manufacturing.config import study_file


@lru_cache(maxsize=16)
def _load(path: Path, _mtime_ns: int) -> ShippingPlan:
    return load_plan(path)


def shipping_plan(study_id: str) -> ShippingPlan:
    """The plan of ``study_id``; a study without ``shipping.yaml`` or with a wrong one ships
    nothing (ImproperlyConfigured names the file, line and key)."""
    path = study_file(study_id, "shipping.yaml")
    try:
        return _load(path, path.stat().st_mtime_ns)
    except FileNotFoundError:
        raise ImproperlyConfigured(f"{path}: the study has no shipping plan") from None
    except SourceError as e:
        raise ImproperlyConfigured(str(e)) from None
