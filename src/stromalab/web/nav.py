"""The navigation bar: apps register their entries in ``AppConfig.ready()``.

    from stromalab.web import nav
    nav.register("manufacturing:batches", _("Batches"), roles=(roles.OPERATOR, roles.MONITOR), order=40)

Entries are shown only to the listed roles (showing a link is not a permission: views check
again with ``require_role``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any
    roles: frozenset[str]
    order: int


_ITEMS: dict[str, NavItem] = {}


def register(url_name: str, label: Any, *, roles: tuple[str, ...] | frozenset[str], order: int = 50) -> None:
    _ITEMS[url_name] = NavItem(url_name, label, frozenset(roles), order)


def items_for(role: str | None) -> list[NavItem]:
    if role is None:
        return []
    return sorted((i for i in _ITEMS.values() if role in i.roles), key=lambda i: (i.order, i.url_name))
