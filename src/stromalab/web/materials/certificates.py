"""The supplier's certificate of a lot: a PDF stored once, like an FCS file.

The bytes are staged first and linked into place as the last step of the receiving action
(``web/quality/storage.py``: stage → publish, never overwritten, SHA-256 recorded), so a refused
or failed receipt leaves no stored certificate behind, and a file changed behind the
application's back is detected when read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from stromalab.web.quality import storage

#: the largest certificate accepted (bytes): a scanned certificate of analysis is a few MB
MAX_CERTIFICATE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Certificate:
    """An uploaded certificate as plain values: the name the user gave it and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Staged:
    """A certificate written under a staging name, and where it goes once the lot is saved."""

    path: Path
    relative: str
    sha256: str
    name: str
    size: int


def check(certificate: Certificate) -> None:
    """Refuse (on the ``certificate`` field) what is not a PDF of a sensible size."""
    if not certificate.data.startswith(b"%PDF-"):
        raise ValidationError({"certificate": _("%(name)s is not a PDF file") % {"name": certificate.name}})
    if len(certificate.data) > MAX_CERTIFICATE_BYTES:
        raise ValidationError({"certificate": _("%(name)s: larger than %(mb)d MB") % {
            "name": certificate.name, "mb": MAX_CERTIFICATE_BYTES // 2**20}})


def stage(certificate: Certificate, lot_id: int) -> Staged:
    """Write the certificate under a staging name; :func:`publish` links it into place."""
    digest = storage.sha256(certificate.data)
    name = storage.safe_name(certificate.name)
    relative = f"materials/lot-{lot_id}/{digest[:16]}-{name}"
    return Staged(storage.stage(certificate.data), relative, digest, name, len(certificate.data))


def publish(staged: Staged) -> None:
    storage.publish(staged.path, staged.relative, staged.sha256)


def discard(staged: Staged | None) -> None:
    if staged is not None:
        storage.discard([staged.path])


def read(relative: str, sha256: str) -> bytes:
    """The stored bytes; ValueError when they no longer match the recorded SHA-256."""
    return storage.read(relative, sha256)
