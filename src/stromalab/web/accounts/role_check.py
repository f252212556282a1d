"""Whether a user holds a role: the one test both the page/API decorators
(:mod:`~stromalab.web.accounts.permissions`) and API authentication
(:mod:`~stromalab.web.accounts.api_auth`) apply.

It lives apart from both so that neither imports the other in a cycle: ``permissions`` builds
operations with ``api_auth``'s callbacks, and both check roles here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def flatten_roles(allowed: Iterable[str | Iterable[str]]) -> frozenset[str]:
    """Role names given one by one or as collections (``roles.ALL``), as one set."""
    out: set[str] = set()
    for item in allowed:
        if isinstance(item, str):
            out.add(item)
        else:
            out.update(item)
    return frozenset(out)


def has_role(user: Any, *allowed: str | Iterable[str]) -> bool:
    """True when ``user`` is authenticated, active, not locked and holds one of ``allowed``."""
    flat = flatten_roles(allowed)
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and not getattr(user, "is_locked", False)
        and user.role in flat
    )
