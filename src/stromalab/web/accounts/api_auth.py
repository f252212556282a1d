"""API authentication (session with CSRF, bearer token, HTTP basic) with the role check done
at authentication time, so that a role that may not call an operation gets 403 before its
payload is even parsed. Use :func:`stromalab.web.accounts.permissions.api_op`.

The role test comes from :mod:`.role_check`, never from ``permissions`` (which imports this
module): the two stay acyclic."""

from typing import Any

from ninja.errors import HttpError
from ninja.security import HttpBasicAuth, HttpBearer, SessionAuth

from .role_check import has_role


def _usable(user: Any) -> Any:
    if user is None or not user.is_active or getattr(user, "is_locked", False):
        return None
    if getattr(user, "must_change_password", False):
        return None
    return user


class TokenAuth(HttpBearer):
    def authenticate(self, request: Any, token: str) -> Any:
        from .models import ApiToken

        row = (ApiToken.objects.select_related("user")
               .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True).first())
        return _usable(row.user) if row else None


class BasicAuth(HttpBasicAuth):
    def authenticate(self, request: Any, username: str, password: str) -> Any:
        from django.contrib.auth import authenticate

        return _usable(authenticate(request, username=username, password=password, channel="api"))


class ActiveSessionAuth(SessionAuth):
    def authenticate(self, request: Any, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _usable(user) if user else None


class _RoleCheck:
    allowed: frozenset[str] = frozenset()

    def __call__(self, request: Any) -> Any:
        user = super().__call__(request)  # type: ignore[misc]
        if user and not has_role(user, self.allowed):
            raise HttpError(403, "your role may not do this")
        return user


_BASES = (ActiveSessionAuth, TokenAuth, BasicAuth)


def auth_for(allowed: frozenset[str]) -> list[Any]:
    """Authentication callbacks for an operation open to ``allowed`` roles."""
    return [type(base.__name__, (_RoleCheck, base), {"allowed": allowed})() for base in _BASES]


def default_auth() -> list[Any]:
    return [base() for base in _BASES]
