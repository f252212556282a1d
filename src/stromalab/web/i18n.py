"""Compile ``locale/*/LC_MESSAGES/django.po`` to ``.mo`` in pure Python (no GNU gettext needed).

``stromalab manage bootstrap`` calls :func:`compile_messages`, which rewrites a ``.mo`` only
when it is missing or older than its ``.po``.
"""

from __future__ import annotations

import ast
import struct
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def parse_po(text: str) -> dict[str, str]:
    """msgid -> msgstr of a .po file (singular entries; fuzzy entries skipped). An entry with a
    ``msgctxt`` is keyed ``context + "\\x04" + msgid``, as ``pgettext`` looks it up."""
    entries: dict[str, str] = {}
    msgctxt: list[str] | None = None
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None
    fuzzy = False

    def flush() -> None:
        nonlocal msgctxt, msgid, msgstr, fuzzy
        if msgid is not None and msgstr is not None and not fuzzy:
            key, value = "".join(msgid), "".join(msgstr)
            if msgctxt is not None:
                key = "".join(msgctxt) + "\x04" + key
            if value or key == "":
                entries[key] = value
        msgctxt = msgid = msgstr = None
        fuzzy = False

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            flush()
            fuzzy = True
        elif line.startswith("#") or not line:
            if msgstr is not None:
                flush()
        elif line.startswith("msgctxt "):
            if msgstr is not None:
                was_fuzzy = fuzzy
                flush()
                fuzzy = was_fuzzy
            msgctxt = [ast.literal_eval(line[8:])]
            current = msgctxt
        elif line.startswith("msgid "):
            if msgstr is not None:
                was_fuzzy = fuzzy
                flush()
                fuzzy = was_fuzzy
            msgid = [ast.literal_eval(line[6:])]
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
    flush()
    return entries


def mo_bytes(entries: dict[str, str]) -> bytes:
    keys = sorted(entries)
    ids = b""
    strs = b""
    offsets = []
    for k in keys:
        kb, vb = k.encode("utf-8"), entries[k].encode("utf-8")
        offsets.append((len(ids), len(kb), len(strs), len(vb)))
        ids += kb + b"\0"
        strs += vb + b"\0"
    n = len(keys)
    keystart = 7 * 4 + 16 * n
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    return header + struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(
        f"{len(voffsets)}i", *voffsets) + ids + strs


def compile_messages(locale_dir: Path = LOCALE_DIR, force: bool = False) -> list[str]:
    done = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if force or not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            mo.write_bytes(mo_bytes(parse_po(po.read_text(encoding="utf-8"))))
            done.append(str(mo.relative_to(locale_dir)))
    return done
