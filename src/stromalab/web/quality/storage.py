"""Where uploaded FCS files live: ``settings.STROMALAB_MEDIA_DIR`` (default ``var/media/``).

An upload is first written to a staging name (:func:`stage`, under ``.staging/``, a unique name
that nothing else uses), and linked into place (:func:`publish`) only once every database row of
the upload is written, as the last step before the transaction commits. A failure or a crash
before that leaves at most a staging file, which blocks nothing; a crash between the link and the
commit leaves a file under a name that carries the panel and the content's SHA-256, which a retry
of the same upload finds identical and accepts. A stored file is never overwritten: a different
content under an existing name is refused. The database keeps the path relative to the media
directory and the SHA-256, so a file changed behind the application's back is detected
(:func:`read`).
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
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


STAGING = ".staging"


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o440)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def stage(data: bytes) -> Path:
    """Write ``data`` under a new staging name; returns its path."""
    folder = media_root() / STAGING
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.part"
    _write(path, data)
    return path


def publish(staged: Path, relative: str, digest: str) -> Path:
    """Link a staged file into place as ``relative`` and drop the staging name.

    An existing file with the same content (left by an interrupted attempt) is accepted; one
    with other content raises FileExistsError: nothing stored is ever replaced."""
    path = media_root() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(staged, path)
    except FileExistsError:
        if sha256(path.read_bytes()) != digest:
            raise FileExistsError(f"{relative}: another file is already stored under this name") from None
    finally:
        staged.unlink(missing_ok=True)
    return path


def read(relative: str, expected_sha256: str) -> bytes:
    """The stored bytes; ValueError when they no longer match the recorded SHA-256."""
    data = (media_root() / relative).read_bytes()
    if sha256(data) != expected_sha256:
        raise ValueError(f"{relative}: content does not match its recorded SHA-256")
    return data


def discard(paths: list[Path]) -> None:
    """Remove the staging files of an upload that failed (nothing half-stored)."""
    for path in paths:
        try:
            os.chmod(path, 0o600)
            path.unlink()
        except FileNotFoundError:
            pass
