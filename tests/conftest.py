"""The suite reads nothing beside the repository.

A plain ``git clone`` must pass ``make test``: a test that reads a file from a folder next to the
checkout (a copy of reference material, another project) passes only on machines that happen to
have it. An audit hook refuses every open or listing of a path inside a sibling of the repository
folder, so such a test fails loudly wherever it runs, not only on a bare clone. Temporary folders,
the virtualenv inside the repository and the system's own files are not siblings and stay allowed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

#: audit events that name a path being read or listed (sys.audit events of CPython)
_PATH_EVENTS = {"open": 0, "os.listdir": 0, "os.scandir": 0, "glob.glob": 0}


def _siblings(repo: Path) -> tuple[str, ...]:
    """Folders and files next to the repository at start-up, as path prefixes."""
    temp_root = Path(tempfile.gettempdir()).resolve()
    found = []
    for entry in repo.parent.iterdir():
        resolved = entry.resolve()
        # pytest's own base temporary folder lives in the system temp dir, which may be the parent
        if resolved in (repo, temp_root) or entry.name.startswith("pytest-of-"):
            continue
        found.append(str(resolved))
    return tuple(found)


class ReadOutsideRepository(PermissionError):
    """A test tried to read a path beside the repository."""


def refuse_reads_beside(repo: Path) -> None:
    """From now on, in this process, reading inside a sibling of ``repo`` raises."""
    siblings = _siblings(repo.resolve())

    def hook(event: str, args: tuple[Any, ...]) -> None:
        index = _PATH_EVENTS.get(event)
        if index is None or not args:
            return
        path = args[index]
        if isinstance(path, int) or path is None:
            return
        try:
            text = os.path.abspath(os.fsdecode(path))
        except (TypeError, ValueError):
            return
        for sibling in siblings:
            if text == sibling or text.startswith(sibling + os.sep):
                raise ReadOutsideRepository(
                    f"a test read {text}, outside the repository ({repo}): everything the tests "
                    "need must be in the repository (see tests/data/)")

    sys.addaudithook(hook)


if REPO.parent != REPO:
    refuse_reads_beside(REPO)
