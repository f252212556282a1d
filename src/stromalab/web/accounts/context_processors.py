"""Template context shared by every page: the user's role and the navigation."""

from __future__ import annotations

from typing import Any

from stromalab.web import nav


def stromalab(request: Any) -> dict[str, Any]:
    user = getattr(request, "user", None)
    role = getattr(user, "role", None) if user is not None and user.is_authenticated else None
    return {"user_role": role, "nav_items": nav.items_for(role)}
