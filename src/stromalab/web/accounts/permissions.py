"""Server-side permission checks for views and API operations.

Views::

    from stromalab.web.accounts import roles
    from stromalab.web.accounts.permissions import require_role

    @require_role(roles.OPERATOR, roles.MONITOR, write=(roles.OPERATOR,))
    def batch_list(request): ...

- Anonymous users are redirected to the login page; a logged-in user whose role is not listed
  gets 403. ``write=`` (optional) narrows the roles allowed to POST/PUT/PATCH/DELETE: the
  monitor can read a page but not submit its form.
- The decorator records the allowed roles on the view (``view.allowed_roles``,
  ``view.write_roles``): the permission-matrix test (tests/web/test_permissions.py) walks the
  URLconf and fails for any view without them, so that no view escapes the check.
- :func:`public` marks the few views open to anonymous users (login, language switch).

API operations (django-ninja)::

    @router.get("/batches")
    @api_role(roles.OPERATOR, roles.MONITOR)
    def list_batches(request): ...

``request.auth`` is the authenticated user (session, bearer token or basic auth); a role not
listed gives 403 JSON.

Object-level rules (e.g. identity readers) use :func:`check_role` inside the view or action.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext

from .api_auth import auth_for
from .role_check import flatten_roles, has_role

__all__ = ["api_op", "api_role", "check_role", "has_role", "login_only", "public", "require_role"]

F = TypeVar("F", bound=Callable[..., Any])

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def check_role(user: Any, *allowed: str | Iterable[str]) -> None:
    """Raise :class:`PermissionDenied` unless ``user`` holds one of ``allowed``."""
    if not has_role(user, *allowed):
        raise PermissionDenied(gettext("your role may not do this"))


def require_role(*allowed: str | Iterable[str], write: Iterable[str] | None = None) -> Callable[[F], F]:
    """Decorator for function views: login required, then role check (403 otherwise)."""
    read_roles = flatten_roles(allowed)
    write_roles = read_roles if write is None else flatten_roles(write)

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            needed = read_roles if request.method in SAFE_METHODS else write_roles
            check_role(user, needed)
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = read_roles  # type: ignore[attr-defined]
        wrapped.write_roles = write_roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    """Mark a view as reachable without login (checked by the permission-matrix test)."""
    view.allowed_roles = None  # type: ignore[attr-defined]
    view.public = True  # type: ignore[attr-defined]
    return view


def login_only(view: F) -> F:
    """Any authenticated user, whatever the role (own password, own tokens, logout)."""
    from . import roles

    return require_role(roles.ALL)(view)


def api_role(*allowed: str | Iterable[str]) -> Callable[[F], F]:
    """Decorator for django-ninja operations (place it below ``@router.get(...)``).

    The API module must not use ``from __future__ import annotations``: ninja reads the
    operation's signature through this wrapper, so annotations must be real objects.
    """
    flat = flatten_roles(allowed)

    def decorator(func: F) -> F:
        from ninja.errors import HttpError

        @functools.wraps(func)
        def wrapped(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not has_role(getattr(request, "auth", None), flat):
                raise HttpError(403, "your role may not do this")
            return func(request, *args, **kwargs)

        wrapped.allowed_roles = flat  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def api_op(router: Any, method: str, path: str, *allowed: str | Iterable[str], **kwargs: Any) -> Callable[[F], F]:
    """Declare a django-ninja operation open to ``allowed`` roles::

        @api_op(router, "GET", "/batches", roles.OPERATOR, roles.MONITOR, response=list[BatchOut])
        def list_batches(request): ...

    The role is checked during authentication (403 before the payload is parsed; 401 when not
    authenticated) and again around the function (:func:`api_role`); ``request.auth`` is the user.
    """
    flat = flatten_roles(allowed)

    def decorator(func: F) -> F:
        checked = api_role(flat)(func)
        router.api_operation([method.upper()], path, auth=auth_for(flat), **kwargs)(checked)
        return checked

    return decorator
