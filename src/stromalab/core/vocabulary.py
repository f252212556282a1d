"""Vocabularies: the values a protocol lets people choose for record items kept as text.

Record format 1 keeps the planned surgery's procedure, site and anaesthesia as text, and the
``procedure`` rule compares that text with the words the protocol names. Typed freely,
"Abdominal liposuction" fails a criterion written for liposuction of the abdomen. So each
protocol lists, under ``vocabularies`` in ``eligibility.yaml``, the values the case report form
and the API accept: each with an English and a French label, and optional ``aliases`` (other
spellings of the same value, e.g. an operating-room schedule's), stored as the value.

The rule and the vocabulary must agree, or the form could record a donor the rule cannot pass:
:func:`check_procedure_rule` (called by the protocol loader) requires every word a
``procedure`` rule accepts to be a value or alias, and every alias to be decided like its value.
A second study writes its own vocabularies; no code names a value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

from stromalab.core.eligibility.recorded import Procedure
from stromalab.core.yamlsource import Located, SourceError

#: the record items that take a vocabulary (screening form field names; record path surgery.*)
FIELDS = ("surgery_procedure", "surgery_site", "surgery_anesthesia")
#: the shortest text column that stores one of them (the anaesthesia)
MAX_LENGTH = 50
_TERM_KEYS = ("value", "en", "fr", "aliases")


def spelling_key(text: str) -> str:
    """How spellings are compared: letter case and runs of blanks do not matter."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, slots=True)
class Term:
    """One value of a vocabulary, as stored (``value``) and as read (``en``, ``fr``)."""

    value: str
    en: str
    fr: str
    aliases: tuple[str, ...] = ()

    def label(self, language: str) -> str:
        """The label for a language code such as ``fr`` or ``en-gb`` (English otherwise)."""
        return self.fr if language.lower().startswith("fr") else self.en

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.value, *self.aliases)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    name: str
    terms: tuple[Term, ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(t.value for t in self.terms)

    def term(self, text: str) -> Term | None:
        """The term ``text`` spells (its value or an alias, see :func:`spelling_key`), if any."""
        key = spelling_key(text)
        for term in self.terms:
            if any(spelling_key(s) == key for s in term.spellings):
                return term
        return None


def build_vocabularies(source: Located, node: Any) -> dict[str, Vocabulary]:
    """The ``vocabularies`` mapping of a protocol file; raises :class:`SourceError` at the key."""
    if not isinstance(node, dict):
        raise source.error("vocabularies", "must be a mapping of record item to values")
    result = {}
    for name, items in node.items():
        key = f"vocabularies.{name}"
        if name not in FIELDS:
            raise source.error(key, f"no vocabulary for this item (allowed: {', '.join(FIELDS)})")
        if not isinstance(items, list) or not items:
            raise source.error(key, "must be a non-empty list of values")
        terms = tuple(_term(source, f"{key}[{i}]", item) for i, item in enumerate(items))
        seen: set[str] = set()
        for i, term in enumerate(terms):
            for spelling in term.spellings:
                if spelling_key(spelling) in seen:
                    raise source.error(f"{key}[{i}]", f"{spelling!r} is spelled by another value")
                seen.add(spelling_key(spelling))
        result[name] = Vocabulary(name, terms)
    return result


def _term(source: Located, key: str, item: Any) -> Term:
    if not isinstance(item, dict):
        raise source.error(key, "must be a mapping with value, en and fr")
    for field_name in item:
        if field_name not in _TERM_KEYS:
            raise source.error(f"{key}.{field_name}", f"unknown key (allowed: {', '.join(sorted(_TERM_KEYS))})")
    texts = {}
    for field_name in ("value", "en", "fr"):
        text = item.get(field_name)
        if not isinstance(text, str) or not text.strip():
            raise source.error(f"{key}.{field_name}", "required text")
        texts[field_name] = text.strip()
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise source.error(f"{key}.aliases", "must be a list of texts")
    for i, spelling in enumerate([texts["value"], *aliases]):
        if len(spelling) > MAX_LENGTH:
            where = f"{key}.value" if i == 0 else f"{key}.aliases[{i - 1}]"
            raise source.error(where, f"at most {MAX_LENGTH} characters (the record stores it)")
    return Term(texts["value"], texts["en"], texts["fr"], tuple(a.strip() for a in aliases))


def procedure_rules(rule: Any) -> Iterator[Procedure]:
    """Every ``procedure`` rule in a rule tree (inside all / any / not / sex / reported)."""
    if isinstance(rule, Procedure):
        yield rule
        return
    if not is_dataclass(rule) or isinstance(rule, type):
        return
    for f in fields(rule):
        value = getattr(rule, f.name)
        for item in value if isinstance(value, tuple) else (value,):
            yield from procedure_rules(item)


def check_procedure_rule(source: Located, rule: Procedure, vocabularies: Mapping[str, Vocabulary]) -> None:
    """Refuse vocabularies that disagree with ``rule`` (see the module docstring)."""
    def exact(words: frozenset[str]) -> tuple[Any, Any]:
        return (lambda s: spelling_key(s) in words), (lambda s, word: spelling_key(s) == word)

    def contains(parts: tuple[str, ...]) -> tuple[Any, Any]:
        return (lambda s: any(p in s.lower() for p in parts)), (lambda s, part: part in s.lower())

    checks = {
        "surgery_procedure": (rule.procedures, *exact(rule.procedures)),
        "surgery_site": (rule.site_contains, *contains(rule.site_contains)),
        "surgery_anesthesia": (rule.anesthesia, *exact(rule.anesthesia)),
    }
    for name, (words, qualifies, offers) in checks.items():
        key = f"vocabularies.{name}"
        vocabulary = vocabularies.get(name)
        if vocabulary is None:
            raise source.error("vocabularies", f"missing {name!r}: a procedure rule reads it")
        for word in sorted(words):
            if not any(offers(s, word) for t in vocabulary.terms for s in t.spellings):
                raise source.error(key, f"{word!r} passes the procedure rule but no value or alias offers it")
        for i, term in enumerate(vocabulary.terms):
            for spelling in term.aliases:
                if qualifies(spelling) != qualifies(term.value):
                    raise source.error(f"{key}[{i}].aliases",
                                       f"{spelling!r} is decided differently from its value {term.value!r}")

__all__ = ["FIELDS", "SourceError", "Term", "Vocabulary", "build_vocabularies", "check_procedure_rule",
           "procedure_rules", "spelling_key"]
