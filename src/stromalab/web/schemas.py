"""Response-schema pieces that more than one app's API serves the same way.

It sits below every app and imports none of them (the apps import it), so that a record
closed under an e-signature (a manufacturing deviation, an OOS investigation) reads the same
in every response.
"""

from __future__ import annotations

from typing import Any, Protocol

from ninja import Schema


class SignedClosure(Protocol):
    """A record closed by a user under an e-signature; both None while it is open."""

    @property
    def closed_by(self) -> Any: ...

    @property
    def signature(self) -> Any: ...


class SignedClosureOut(Schema):
    """Resolves ``closed_by`` (the closer's username) and ``signature`` (its manifestation);
    each schema that uses it declares the two fields itself."""

    @staticmethod
    def resolve_closed_by(closure: SignedClosure) -> str | None:
        return str(closure.closed_by.username) if closure.closed_by is not None else None

    @staticmethod
    def resolve_signature(closure: SignedClosure) -> str | None:
        return str(closure.signature.manifestation()) if closure.signature is not None else None
