"""The engine's reasons in French, for the pages a French-speaking investigator reads.

The engine words its reasons in English, and that wording is a contract (``stromalab screen``
prints it, stored screenings hold it, the held-out checks compare it), so the engine itself is
left alone. A reason is built from a small closed set of phrases (this module's ``_RULES``),
joined by ``"; "`` and wrapped in a few prefixes (``answered no, but records show …``,
``not (…)``); each phrase is translated here by pattern, and the study's own words (code-list
titles, vocabulary values) through the protocol's glossary (:mod:`stromalab.core.translations`).
A stored reason from an earlier version translates the same way, with no migration.

No maintained library translates generated sentences: gettext needs the message id and its
parameters apart, which would change the engine's output; hence this table, held complete by a
property test over generated records (``tests/core/eligibility/test_wording.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

_DATE = r"\d{4}-\d{2}-\d{2}"

#: the record's fields and quantities as the engine names them
_FIELDS = {
    "birth date": "date de naissance", "weight": "poids", "height": "taille", "weight and height": "poids et taille",
    "blood pressure": "pression artérielle", "smoking": "tabagisme", "social security": "sécurité sociale",
    "consent": "consentement", "surgery": "intervention", "sex": "sexe", "procedure": "type d’intervention",
    "site": "site", "anesthesia": "anesthésie", "date": "date", "pregnancy test": "test de grossesse",
    "serology": "sérologie", "as of": "date de sélection",
}
_VALUES = {
    "never": "jamais", "former": "ancien fumeur", "current": "actuel", "signed": "signé", "refused": "refusé",
    "withdrawn": "retiré", "positive": "positif", "negative": "négatif", "equivocal": "douteux",
    "not done": "non fait", "male": "homme", "female": "femme", "yes": "oui", "no": "non",
}
_BOUNDS = re.compile(r"^(?P<said>.*?) \((?P<not>not )?(?P<bounds>(?:[<>≤≥=] [\d.,]+)(?: and [<>≤≥=] [\d.,]+)*"
                     r"|more than \d+)\)$")


def _number(text: str) -> str:
    """A decimal number as French writes it (62.5 → 62,5)."""
    return text.replace(".", ",")


def _words(text: str, glossary: Mapping[str, str]) -> str:
    """One of the study's or the engine's words, in French when known (else as recorded)."""
    key = text.strip()
    for table in (glossary, _FIELDS, _VALUES):
        if key.lower() in table:
            return table[key.lower()]
    return text


def _list(text: str, glossary: Mapping[str, str], separator: str = ", ") -> str:
    return separator.join(_words(item, glossary) for item in text.split(separator))


Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Mapping[str, str]], str]]


def _rule(pattern: str) -> Callable[[Callable[[re.Match[str], Mapping[str, str]], str]], Rule]:
    def wrap(render: Callable[[re.Match[str], Mapping[str, str]], str]) -> Rule:
        return re.compile(pattern), render
    return wrap


#: in order: the prefixes that wrap other phrases first, then the phrases
_RULES: list[Rule] = [
    _rule(r"answered (yes|no)")(lambda m, g: f"réponse {_VALUES[m[1]]}"),
    _rule(r"no answer")(lambda m, g: "pas de réponse"),
    _rule(r"answered no, but records show (.+)")(lambda m, g: f"réponse non, mais le dossier indique {_piece(m[1], g)}"),
    _rule(r"records show (.+)")(lambda m, g: f"le dossier indique {_piece(m[1], g)}"),
    _rule(r"not \((.+)\)")(lambda m, g: f"non ({_piece(m[1], g)})"),
    _rule(r"(\d+) years old on (" + _DATE + ")")(lambda m, g: f"{m[1]} ans le {m[2]}"),
    _rule(r"BMI unknown: (.+) not recorded")(lambda m, g: f"IMC inconnu : {_words(m[1], g)} non renseigné(s)"),
    _rule(r"BMI ([\d.]+) kg/m² \(([\d.]+) kg, ([\d.]+) cm\)")(
        lambda m, g: f"IMC {_number(m[1])} kg/m² ({_number(m[2])} kg, {_number(m[3])} cm)"),
    _rule(r"(systolic|diastolic) blood pressure (\d+) mmHg")(
        lambda m, g: f"pression artérielle {'systolique' if m[1] == 'systolic' else 'diastolique'} {m[2]} mmHg"),
    _rule(r"(weight|height) ([\d.]+) (kg|cm)")(lambda m, g: f"{_FIELDS[m[1]]} {_number(m[2])} {m[3]}"),
    _rule(r"surgery ((?:procedure|site|anesthesia|date)(?:, (?:procedure|site|anesthesia|date))*) not recorded")(
        lambda m, g: f"intervention : {_list(m[1], g)} non renseigné(s)"),
    _rule(r"no (.+) recorded")(lambda m, g: f"aucun {_words(m[1], g)} enregistré"),
    _rule(r"(.+) not recorded")(lambda m, g: f"{_words(m[1], g)} non renseigné(e)"),
    _rule(r"consent (signed|refused|withdrawn)(?: on (" + _DATE + r"))?(?: \(information sheet (.+?)\))?"
          r"(, after the screening date)?")(
        lambda m, g: "consentement " + _VALUES[m[1]] + (f" le {m[2]}" if m[2] else "")
        + (f" (note d’information {m[3]})" if m[3] else "")
        + (", postérieur à la date de sélection" if m[4] else "")),
    _rule(r"(.+): not decisive for this criterion")(
        lambda m, g: f"{_piece(m[1], g)} : non déterminant pour ce critère"),
    _rule(r"(not )?affiliated to social security")(
        lambda m, g: ("non affilié" if m[1] else "affilié") + " à la sécurité sociale"),
    _rule(r"(male|female): (applies|not applicable)")(
        lambda m, g: f"{_VALUES[m[1]]} : {'s’applique' if m[2] == 'applies' else 'sans objet'}"),
    _rule(r"(positive|equivocal|not recorded): (.+)")(
        lambda m, g: f"{_VALUES.get(m[1], 'non renseigné')} : {m[2]}"),
    _rule(r"all (\d+) tests negative")(lambda m, g: f"les {m[1]} tests sont négatifs"),
    _rule(r"procedure '(.*)' is not (.+)")(
        lambda m, g: f"l’intervention « {_words(m[1], g)} » n’est pas {_list(m[2], g, ' / ')}"),
    _rule(r"site '(.*)' is not abdominal")(lambda m, g: f"le site « {_words(m[1], g)} » n’est pas abdominal"),
    _rule(r"anesthesia '(.*)' is not (.+)")(
        lambda m, g: f"l’anesthésie « {_words(m[1], g)} » n’est pas {_list(m[2], g, ' / ')}"),
    _rule(r"surgery date (" + _DATE + ") is before the screening date")(
        lambda m, g: f"la date d’intervention {m[1]} précède la date de sélection"),
    _rule(r"(.+), (.+), (.+) anesthesia on (" + _DATE + ")")(
        lambda m, g: f"{_words(m[1], g)}, {_words(m[2], g)}, anesthésie {_words(m[3], g)} le {m[4]}"),
    _rule(r"(.+) of (" + _DATE + ") is outside (" + _DATE + ")–(" + _DATE + ")")(
        lambda m, g: f"{_words(m[1], g)} du {m[2]} hors de la période du {m[3]} au {m[4]}"),
    _rule(r"(pregnancy test) (positive|negative|equivocal|not done) on (" + _DATE + ")")(
        lambda m, g: f"{_FIELDS[m[1]]} {_VALUES[m[2]]} le {m[3]}"),
    _rule(r"no (active )?record of (.+)")(
        lambda m, g: f"aucun antécédent {'actif ' if m[1] else ''}de {_words(m[2], g)}"),
    _rule(r"(.+) \((.+)\), since (" + _DATE + ")")(lambda m, g: f"{m[1]} ({_words(m[2], g)}), depuis le {m[3]}"),
    _rule(r"(.+) \((.+)\), (" + _DATE + ") to (" + _DATE + ")")(
        lambda m, g: f"{m[1]} ({_words(m[2], g)}), du {m[3]} au {m[4]}"),
    _rule(r"(\d+) distinct days? of (.+) between (" + _DATE + ") and (" + _DATE + ")")(
        lambda m, g: f"{m[1]} jour{'s' if m[1] != '1' else ''} distinct{'s' if m[1] != '1' else ''} "
                     f"de {_words(m[2], g)} entre le {m[3]} et le {m[4]}"),
    _rule(r"awaiting review: (.+)")(lambda m, g: f"en attente de relecture : {m[1]}"),
    _rule(r"not screened yet")(lambda m, g: "pas encore évalué"),
    _rule(r"not screened yet: (.+) missing")(
        lambda m, g: f"pas encore évalué : {_list(m[1], g, ' and ').replace(' and ', ' et ')} manquant(s)"),
    _rule(r"(smoking): (never|former|current)")(lambda m, g: f"tabagisme : {_VALUES[m[2]]}"),
]


def _bounds(text: str) -> str:
    if text.startswith("more than"):
        return text.replace("more than", "plus de")
    return text.replace(" and ", " et ")


def _piece(text: str, glossary: Mapping[str, str]) -> str:
    """One phrase (no ``"; "`` inside) in French; unchanged when no rule knows it."""
    bounded = _BOUNDS.match(text)
    if bounded:
        said = _piece(bounded["said"], glossary)
        negation = ("pas " if bounded["bounds"].startswith("more") else "non ") if bounded["not"] else ""
        return f"{said} ({negation}{_bounds(bounded['bounds'])})"
    for pattern, render in _RULES:
        match = pattern.fullmatch(text)
        if match:
            return render(match, glossary)
    return text


def untranslated(reason: str, glossary: Mapping[str, str] = {}) -> list[str]:
    """The phrases of ``reason`` no rule knows (for the tests that keep the table complete)."""
    return [piece for piece in reason.split("; ") if _piece(piece, glossary) == piece]


def reason_in(language: str, reason: str, glossary: Mapping[str, str] = {}) -> str:
    """``reason`` as the engine wrote it, in ``language`` (English is the engine's own)."""
    if not language.startswith("fr") or not reason:
        return reason
    return "; ".join(_piece(piece, glossary) for piece in reason.split("; "))
