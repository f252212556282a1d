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
    """The browser's session, with Django's CSRF check on unsafe methods.

    Only a request that carries the session cookie and no ``Authorization`` header is a
    session request: ninja's own ``SessionAuth`` checked CSRF on every request first, so bearer
    and basic clients, which hold no ambient cookie, got "CSRF check Failed" on every write (or
    passed it by sending a made-up cookie and header pair, which protected nothing). A browser
    session never carries an ``Authorization`` header that a cross-site page could set: forms
    cannot, and scripts would need our CORS consent, which the API does not give."""

    def _get_key(self, request: Any) -> str | None:
        if "Authorization" in request.headers or self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: Any, key: str | None) -> Any:
        if key is None:
            return None
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
