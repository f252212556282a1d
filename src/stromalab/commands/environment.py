"""The environment of the CLI commands: the ONLY module besides ``stromalab.web.settings`` that
reads a ``STROMALAB_*`` variable (``tests/web/test_architecture.py`` holds the rule).

The non-Django commands (``screen``, ``prescreen``) must start without Django, so they cannot
ask the web settings; they read ``STROMALAB_PROTOCOLS`` here and pass the root to the core
explicitly. The Django commands name the settings module here and read everything else from
``django.conf.settings``.
"""

from __future__ import annotations

import os
from pathlib import Path

SETTINGS_MODULE = "stromalab.web.settings"


def protocols_root() -> Path | None:
    """``STROMALAB_PROTOCOLS`` (the folder of protocol folders), or None for the repository's."""
    configured = os.environ.get("STROMALAB_PROTOCOLS")
    return Path(configured) if configured else None


def use_django_settings() -> None:
    """Point Django at the study settings unless the caller chose others."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)


def setup_django() -> None:
    """Configure Django with the study settings (for commands that use the ORM directly)."""
    use_django_settings()
    import django

    django.setup()
