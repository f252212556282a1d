"""Where uploaded FCS files live: ``settings.STROMALAB_MEDIA_DIR`` (default ``var/media/``).

Files are written once, under a name that carries the panel and the content's SHA-256, with
``O_EXCL``: an existing file is never overwritten. The database keeps the path relative to the
media directory and the SHA-256, so a file changed behind the application's back is detected
(:func:`verify`).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from django.conf import settings


def media_root() -> Path:
    """``settings.STROMALAB_MEDIA_DIR`` (the settings default it to ``VAR_DIR/media``)."""
    return Path(settings.STROMALAB_MEDIA_DIR).resolve()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """The last path component of an uploaded name, reduced to safe characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    return (_UNSAFE.sub("_", base).strip("._") or "file")[:80]


def write_once(relative: str, data: bytes) -> Path:
    """Create ``media_root()/relative`` with ``data``; FileExistsError if it exists."""
    path = media_root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o440)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def read(relative: str, expected_sha256: str) -> bytes:
    """The stored bytes; ValueError when they no longer match the recorded SHA-256."""
    data = (media_root() / relative).read_bytes()
    if sha256(data) != expected_sha256:
        raise ValueError(f"{relative}: content does not match its recorded SHA-256")
    return data


def discard(paths: list[Path]) -> None:
    """Remove files written by an upload whose transaction failed (nothing half-stored)."""
    for path in paths:
        try:
            os.chmod(path, 0o600)
            path.unlink()
        except FileNotFoundError:
            pass
