"""Screening outcomes in the reader's language: verdicts, criterion texts and the engine's reasons.

The engine and the stored screenings speak English (the registered criteria, the contract of
``stromalab screen``); a French page shows the protocol's translation of each criterion
(``protocols/<study>/translations/fr.yaml``) and the reasons rendered phrase by phrase
(:mod:`stromalab.core.eligibility.wording`), so a stored screening reads in French too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from stromalab.core.eligibility.wording import reason_in
from stromalab.core.protocol import Protocol
from stromalab.core.translations import Translation, load_translation

VERDICTS: Mapping[str, Any] = {"eligible": _("eligible"), "ineligible": _("ineligible"),
                                "incomplete": _("incomplete")}


def verdict_label(verdict: str | None) -> str:
    """A verdict in the reader's language (an unknown word is shown as stored)."""
    return str(VERDICTS.get(verdict or "incomplete", verdict))


def translation(protocol: Protocol) -> Translation | None:
    """The protocol's translation into the active language, if it has one."""
    language = (get_language() or "en").split("-")[0]
    if language == "en":
        return None
    return load_translation(protocol.folder, language, tuple(c.id for c in protocol.criteria))


def criterion_texts(protocol: Protocol) -> dict[str, str]:
    """Each criterion's wording in the active language (the registered English by default)."""
    words = translation(protocol)
    return {c.id: words.criterion_text(c.id, c.text) if words else c.text for c in protocol.criteria}


def localized(results: Iterable[Mapping[str, Any]], protocol: Protocol) -> list[dict[str, Any]]:
    """``results`` (criterion rows: id, text, status, reason, …) with text and reason in the
    active language; unchanged in English or for a language the protocol has no translation for."""
    words = translation(protocol)
    if words is None:
        return [dict(r) for r in results]
    return [{**r, "text": words.criterion_text(str(r["id"]), str(r["text"])),
             "reason": reason_in(words.language, str(r["reason"]), words.terms)} for r in results]
