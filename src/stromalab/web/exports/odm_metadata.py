"""The ODM study metadata, built from the protocol and the screening case report form itself.

The screening form's fields give the items: their labels (English and French, read from the
form under each language), data types (from the form field's class) and code lists (from its
choices: sex, smoking, serology results, the protocol's surgery vocabularies, yes/no answers
to each answerable criterion). The birth date is not an item: it stays in the system (an
indirect identifier); the age in completed years at screening, which the criteria use, is.
Consent, eligibility and donation are small forms of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import odmlib.odm_1_3_2.model as ODM
from django import forms
from django.utils import translation

from stromalab.core.protocol import Protocol
from stromalab.web.donors.models import Consent
from stromalab.web.manufacturing.models import Batch
from stromalab.web.screening.forms import ScreeningForm

LANGUAGES = ("en", "fr")
SCREENING_EVENT, DONATION_EVENT = "SE.SCREENING", "SE.DONATION"


@dataclass(frozen=True)
class Item:
    oid: str
    name: str
    data_type: str
    labels: dict[str, str]
    codelist: str = ""
    unit: str = ""


#: item group of each screening form field (the form's own order inside each group)
SCREENING_GROUPS: dict[str, tuple[str, ...]] = {
    "IG.DEMOG": ("as_of", "AGE", "sex", "smoking", "social_security"),
    "IG.VITALS": ("weight_kg", "height_cm", "systolic", "diastolic"),
    "IG.SURGERY": ("surgery_procedure", "surgery_site", "surgery_anesthesia", "surgery_date"),
    "IG.PREGNANCY": ("pregnancy_result", "pregnancy_date"),
    "IG.SEROLOGY": ("serology_",),
    "IG.ANSWERS": ("answer_",),
}
UNITS = {"weight_kg": ("MU.KG", "kg"), "height_cm": ("MU.CM", "cm"), "systolic": ("MU.MMHG", "mmHg"),
         "diastolic": ("MU.MMHG", "mmHg"), "AGE": ("MU.YEARS", "years")}
#: the small forms: (form OID, name, repeating, group OID, items (name, data type, en, fr, choices))
SMALL_FORMS = (
    ("F.CONSENT", "Consent", "Yes", "IG.CONSENT", (
        ("sheet_version", "text", "Information sheet version", "Version de la notice d’information", None),
        ("consent_status", "text", "Consent", "Consentement", Consent.STATUSES),
        ("consent_date", "date", "Consent date", "Date du consentement", None))),
    ("F.ELIGIBILITY", "Eligibility decision", "No", "IG.ELIGIBILITY", (
        ("verdict", "text", "Verdict", "Verdict", (("eligible", "eligible"), ("ineligible", "ineligible"),
                                                   ("incomplete", "incomplete"))),
        ("decided_at", "datetime", "Decided at", "Décidé le", None),
        ("record_sha256", "text", "SHA-256 of the record signed", "SHA-256 du dossier signé", None),
        ("enrolled_at", "datetime", "Enrolled at", "Inclus le", None))),
    ("F.DONATION", "Donation", "No", "IG.DONATION", (
        ("din", "text", "Donation identification number (ISBT 128)", "Numéro de don (ISBT 128)", None),
        ("collected_at", "datetime", "Harvested at", "Prélevé le", None),
        ("batch_status", "text", "Batch status", "Statut du lot", Batch.STATUSES),
        ("containers", "integer", "Containers", "Contenants", None))),
)


def item_oid(name: str) -> str:
    return "I." + name.upper()


def _data_type(field: forms.Field) -> str:
    if isinstance(field, forms.DateField):
        return "date"
    if isinstance(field, forms.DecimalField):
        return "float"
    if isinstance(field, forms.IntegerField):
        return "integer"
    if isinstance(field, forms.NullBooleanField):
        return "boolean"
    return "text"


def _forms(protocol: Protocol) -> dict[str, ScreeningForm]:
    criteria = [c for c in protocol.criteria if c.id in protocol.answer_ids]
    built = {}
    for language in LANGUAGES:
        with translation.override(language):
            built[language] = ScreeningForm(answer_criteria=criteria, vocabularies=protocol.vocabularies)
    return built


def _codelist_oid(name: str) -> str:
    if name.startswith("serology_"):
        return "CL.SEROLOGY_RESULT"
    if name.startswith("answer_"):
        return "CL.ANSWER"
    return "CL." + name.upper()


class Metadata:
    """Items, groups and code lists of one protocol, and the odmlib MetaDataVersion of them."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.items: dict[str, Item] = {}
        self.groups: dict[str, list[str]] = {}
        self.codelists: dict[str, dict[str, dict[str, str]]] = {}
        self._screening(_forms(protocol))
        for _form, _name, _repeating, group, fields in SMALL_FORMS:
            self.groups[group] = []
            for name, data_type, en, fr, choices in fields:
                codelist = f"CL.{name.upper()}" if choices else ""
                if choices:
                    self.codelists[codelist] = {value: self._both(label) for value, label in choices}
                self._add(group, Item(item_oid(name), name, data_type, {"en": en, "fr": fr}, codelist))

    @staticmethod
    def _both(label: object) -> dict[str, str]:
        return {language: _text(label, language) for language in LANGUAGES}

    def _add(self, group: str, item: Item) -> None:
        self.items[item.name] = item
        self.groups[group].append(item.name)

    def _screening(self, built: dict[str, ScreeningForm]) -> None:
        english = built["en"]
        for group, names in SCREENING_GROUPS.items():
            self.groups[group] = []
            for name in _expand(names, english):
                unit = UNITS.get(name, ("", ""))[0]
                if name == "AGE":
                    labels = {"en": "Age at screening (years)", "fr": "Âge à la sélection (années)"}
                    self._add(group, Item(item_oid(name), name, "integer", labels, unit=unit))
                    continue
                field = english.fields[name]
                labels = {lang: _text(built[lang].fields[name].label, lang) for lang in LANGUAGES}
                codelist = ""
                if isinstance(field, forms.ChoiceField):
                    codelist = _codelist_oid(name)
                    self.codelists.setdefault(codelist, {})
                    for lang in LANGUAGES:
                        choices = built[lang].fields[name].choices  # type: ignore[attr-defined]
                        for value, label in choices:
                            if value:
                                self.codelists[codelist].setdefault(str(value), {})[lang] = _text(label, lang)
                self._add(group, Item(item_oid(name), name, _data_type(field), labels, codelist, unit))

    def metadata_version(self, oid: str) -> ODM.MetaDataVersion:
        mdv = ODM.MetaDataVersion(OID=oid, Name=f"{self.protocol.id} protocol {self.protocol.version}")
        mdv.Protocol = ODM.Protocol()
        events = {SCREENING_EVENT: ("Screening", ("F.CONSENT", "F.SCREENING", "F.ELIGIBILITY")),
                  DONATION_EVENT: ("Donation", ("F.DONATION",))}
        for order, (event_oid, (name, form_oids)) in enumerate(events.items(), start=1):
            mdv.Protocol.StudyEventRef.append(ODM.StudyEventRef(StudyEventOID=event_oid, OrderNumber=order, Mandatory="No"))
            event = ODM.StudyEventDef(OID=event_oid, Name=name, Repeating="No", Type="Scheduled")
            for n, form_oid in enumerate(form_oids, start=1):
                event.FormRef.append(ODM.FormRef(FormOID=form_oid, OrderNumber=n, Mandatory="No"))
            mdv.StudyEventDef.append(event)
        screening = ODM.FormDef(OID="F.SCREENING", Name="Screening", Repeating="No")
        for n, group in enumerate((*SCREENING_GROUPS, "IG.CONDITION", "IG.MEDICATION"), start=1):
            screening.ItemGroupRef.append(ODM.ItemGroupRef(ItemGroupOID=group, OrderNumber=n, Mandatory="No"))
        mdv.FormDef.append(screening)
        for form_oid, name, repeating, group, _fields in SMALL_FORMS:
            form = ODM.FormDef(OID=form_oid, Name=name, Repeating=repeating)
            form.ItemGroupRef.append(ODM.ItemGroupRef(ItemGroupOID=group, OrderNumber=1, Mandatory="Yes"))
            mdv.FormDef.append(form)
        for group, names in self.groups.items():
            mdv.ItemGroupDef.append(self._group(group, group.removeprefix("IG."), "No", names))
        for group, name in (("IG.CONDITION", "Medical history (ICD-10)"), ("IG.MEDICATION", "Medications (ATC)")):
            mdv.ItemGroupDef.append(self._group(group, name, "Yes", [f"{group[3:].lower()}_{part}" for part in
                                                                     ("code", "start", "end")]))
        for item in self.items.values():
            mdv.ItemDef.append(self._item(item))
        for part, data_type in (("code", "text"), ("start", "date"), ("end", "date")):
            for kind in ("condition", "medication"):
                name = f"{kind}_{part}"
                mdv.ItemDef.append(ODM.ItemDef(OID=item_oid(name), Name=name, DataType=data_type))
        for oid, values in self.codelists.items():
            codelist = ODM.CodeList(OID=oid, Name=oid.removeprefix("CL.").lower(), DataType="text")
            for value, labels in values.items():
                codelist.CodeListItem.append(ODM.CodeListItem(CodedValue=value, Decode=ODM.Decode(
                    TranslatedText=[ODM.TranslatedText(_content=labels[lang], lang=lang)
                                    for lang in LANGUAGES if lang in labels])))
            mdv.CodeList.append(codelist)
        return mdv

    def _group(self, oid: str, name: str, repeating: str, names: list[str]) -> ODM.ItemGroupDef:
        group = ODM.ItemGroupDef(OID=oid, Name=name, Repeating=repeating)
        for n, item in enumerate(names, start=1):
            group.ItemRef.append(ODM.ItemRef(ItemOID=item_oid(item), OrderNumber=n, Mandatory="No"))
        return group

    @staticmethod
    def _item(item: Item) -> ODM.ItemDef:
        definition = ODM.ItemDef(OID=item.oid, Name=item.name, DataType=item.data_type, Question=ODM.Question(
            TranslatedText=[ODM.TranslatedText(_content=item.labels[lang], lang=lang) for lang in LANGUAGES]))
        if item.unit:
            definition.MeasurementUnitRef.append(ODM.MeasurementUnitRef(MeasurementUnitOID=item.unit))
        if item.codelist:
            definition.CodeListRef = ODM.CodeListRef(CodeListOID=item.codelist)
        return definition


def measurement_units() -> ODM.BasicDefinitions:
    units = ODM.BasicDefinitions()
    for oid, symbol in sorted(set(UNITS.values())):
        units.MeasurementUnit.append(ODM.MeasurementUnit(OID=oid, Name=symbol, Symbol=ODM.Symbol(
            TranslatedText=[ODM.TranslatedText(_content=symbol, lang="en")])))
    return units


def _text(label: object, language: str) -> str:
    """A (lazy) label in ``language``."""
    with translation.override(language):
        return str(label)


def _expand(names: tuple[str, ...], form: ScreeningForm) -> Iterator[str]:
    """Field names, a trailing ``_`` standing for every form field with that prefix."""
    for name in names:
        if name.endswith("_"):
            yield from (f for f in form.fields if f.startswith(name))
        else:
            yield name
