"""A protocol's own words in another language: ``protocols/<study>/translations/<lang>.yaml``.

The registered criteria are English and stay verbatim in ``eligibility.yaml`` (the listing is the
source document); a translation is a separate file so that it can be reviewed and versioned on
its own, and so that a second study brings its own. It holds each criterion's text and a
glossary of the study's words the engine quotes in its reasons (code-list titles, vocabulary
values), which :mod:`stromalab.core.eligibility.wording` uses.

    format: stromalab-translation/1
    language: fr
    criteria: {I1: "Âge ≥ 18 et ≤ 55 ans", ...}      # every criterion of the protocol
    terms: {"lithium": "lithium", ...}                # English as the engine quotes it: French
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from stromalab.core.yamlsource import SourceError, load_yaml

FORMAT = "stromalab-translation/1"


@dataclass(frozen=True)
class Translation:
    language: str
    criteria: Mapping[str, str] = field(default_factory=dict)
    #: lower-case English as the engine quotes it → the language's word
    terms: Mapping[str, str] = field(default_factory=dict)

    def criterion_text(self, criterion_id: str, english: str) -> str:
        return self.criteria.get(criterion_id, english)


def translation_path(folder: Path, language: str) -> Path:
    return folder / "translations" / f"{language}.yaml"


@cache
def load_translation(folder: Path, language: str, criterion_ids: tuple[str, ...]) -> Translation | None:
    """The translation of the protocol in ``folder`` into ``language``, or None when it has none.

    Every criterion must be translated (a page half in each language misleads), and no unknown
    criterion id may appear (a typo would silently show the English text)."""
    path = translation_path(folder, language)
    if not path.is_file():
        return None
    source = load_yaml(path)
    doc: Any = source.value
    if not isinstance(doc, dict):
        raise source.error("", "the file must be a mapping")
    for key in doc:
        if key not in ("format", "language", "criteria", "terms"):
            raise source.error(key, "unknown key (allowed: criteria, format, language, terms)")
    if doc.get("format") != FORMAT:
        raise source.error("format", f"expected {FORMAT!r}, got {doc.get('format')!r}")
    if doc.get("language") != language:
        raise source.error("language", f"{doc.get('language')!r} does not match the file name {language!r}")
    criteria = _text_mapping(source, doc.get("criteria"), "criteria")
    unknown = sorted(set(criteria) - set(criterion_ids))
    if unknown:
        raise source.error(f"criteria.{unknown[0]}", "no criterion of the protocol has this id")
    missing = [cid for cid in criterion_ids if cid not in criteria]
    if missing:
        raise source.error("criteria", f"not translated: {', '.join(missing)}")
    terms = {english.lower(): text for english, text in _text_mapping(source, doc.get("terms", {}), "terms").items()}
    return Translation(language, criteria, terms)


def _text_mapping(source: Any, node: Any, key: str) -> dict[str, str]:
    if not isinstance(node, dict):
        raise source.error(key, "must be a mapping of text to text")
    for name, text in node.items():
        if not isinstance(text, str) or not text.strip():
            raise source.error(f"{key}.{name}", "must be non-empty text")
    return {str(name): text for name, text in node.items()}


__all__ = ["FORMAT", "SourceError", "Translation", "load_translation", "translation_path"]
