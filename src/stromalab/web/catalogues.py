"""Compile every app's message catalogue (``**/locale/<lang>/LC_MESSAGES/django.po``) to ``.mo``.

Babel reads and writes the catalogues (pure Python, no GNU gettext on the machine), so plural
entries (``ngettext``, ``{% blocktrans count %}``) and contexts (``pgettext``,
``{% translate ... context %}``) reach Django intact.

The ``.mo`` files are build output, not source: git ignores them, ``make run`` writes them
through ``stromalab manage bootstrap`` and ``make test`` through ``stromalab i18n compile``, and a
built package ships them as package data. Nothing here imports Django.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

WEB_DIR = Path(__file__).resolve().parent


def catalogues(root: Path = WEB_DIR) -> list[Path]:
    """Every ``django.po`` under ``root``: the project's ``locale/`` and each app's."""
    return sorted(root.glob("**/locale/*/LC_MESSAGES/django.po"))


def read_catalogue(po: Path) -> Catalog:
    """The catalogue of ``po``; a syntax error raises instead of dropping the entry."""
    with po.open("rb") as handle:
        return read_po(handle, abort_invalid=True)


def mo_bytes(catalog: Catalog) -> bytes:
    """The ``.mo`` Babel writes for ``catalog`` (fuzzy entries left out, as gettext does)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def compile_all(root: Path = WEB_DIR) -> list[Path]:
    """Write each catalogue's ``.mo`` next to it when missing or different; the ones written."""
    written = []
    for po in catalogues(root):
        mo = po.with_suffix(".mo")
        data = mo_bytes(read_catalogue(po))
        if not mo.is_file() or mo.read_bytes() != data:
            mo.write_bytes(data)
            written.append(mo)
    return written
