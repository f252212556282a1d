"""The screening case report form, built from the protocol (one yes/no question per
answerable criterion, ten serology tests)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from stromalab.core.vocabulary import FIELDS as VOCABULARY_FIELDS
from stromalab.core.vocabulary import Vocabulary

from . import models as m

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ScreeningForm(forms.Form):
    as_of = forms.DateField(label=_("Screening date"), required=False, **DATE)  # type: ignore[arg-type]
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *m.SEX_CHOICES], required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, **DATE)  # type: ignore[arg-type]
    # localize: "62,5" in French, as people write it (a number box would refuse the comma)
    # the action rounds to one decimal and refuses implausible values (screening/values.py)
    weight_kg = forms.DecimalField(label=_("Weight (kg)"), required=False, localize=True,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    height_cm = forms.DecimalField(label=_("Height (cm)"), required=False, localize=True,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    systolic = forms.IntegerField(label=_("Systolic blood pressure (mmHg)"), required=False)
    diastolic = forms.IntegerField(label=_("Diastolic blood pressure (mmHg)"), required=False)
    smoking = forms.ChoiceField(label=_("Smoking"), choices=[("", "—"), *m.SMOKING_CHOICES], required=False)
    social_security = forms.NullBooleanField(
        label=_("Affiliated to a social security scheme"), required=False, widget=forms.NullBooleanSelect)
    surgery_procedure = forms.ChoiceField(label=_("Planned surgery: procedure"), required=False)
    surgery_site = forms.ChoiceField(label=_("Planned surgery: site"), required=False)
    surgery_anesthesia = forms.ChoiceField(label=_("Planned surgery: anaesthesia"), required=False)
    surgery_date = forms.DateField(label=_("Planned surgery: date"), required=False, **DATE)  # type: ignore[arg-type]
    pregnancy_result = forms.ChoiceField(label=_("Pregnancy test"), choices=[("", "—"), *m.PREGNANCY_RESULTS],
                                         required=False)
    pregnancy_date = forms.DateField(label=_("Pregnancy test date"), required=False, **DATE)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("Reason for change (required when changing entered data)"),
                             required=False, max_length=500)

    def __init__(self, *args: Any, answer_criteria: list[Any] = (),  # type: ignore[assignment]
                 vocabularies: Mapping[str, Vocabulary] | None = None,
                 criterion_texts: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        """``criterion_texts``: each answered criterion's wording in the page's language
        (screening/wording.py), else the registered English."""
        super().__init__(*args, **kwargs)
        self._offer_vocabularies(vocabularies or {})
        for test in m.SEROLOGY_TESTS:
            self.fields[f"serology_{test}"] = forms.ChoiceField(
                label=test, choices=[("", "—"), *m.SEROLOGY_RESULTS], required=False)
        for criterion in answer_criteria:
            self.fields[f"answer_{criterion.id}"] = forms.ChoiceField(
                label=f"{criterion.id}. {(criterion_texts or {}).get(criterion.id, criterion.text)}", choices=[("", "—"), *m.ANSWER_CHOICES],
                required=False)

    def _offer_vocabularies(self, vocabularies: Mapping[str, Vocabulary]) -> None:
        """The planned surgery as the protocol's choices, labelled in the page's language.

        A value typed freely before the protocol had vocabularies ("Abdominal liposuction")
        is still shown: the stored (or posted) value outside the vocabulary becomes an extra
        choice marked as such, selected, so the page shows what the record holds and saving
        other fields keeps it. The action, not this form, refuses a value that is neither a
        choice nor the one stored (the page and the API give the same refusal).
        """
        language = get_language() or "en"
        for name in VOCABULARY_FIELDS:
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            vocabulary = vocabularies.get(name)
            choices: list[tuple[str, str]] = [("", "—")]
            if vocabulary is not None:
                choices += [(t.value, t.label(language)) for t in vocabulary.terms]
            current = self.data.get(name) if self.is_bound else self.initial.get(name)
            if current and current not in dict(choices):
                outside = _("not one of the protocol's choices")
                choices.append((str(current), f"{current} ({outside})"))
            field.choices = choices

    @staticmethod
    def initial_from(screening: m.Screening | None) -> dict[str, Any]:
        if screening is None:
            return {}
        data: dict[str, Any] = {f: getattr(screening, f) for f in m.Screening.SCALAR_FIELDS}
        for test, result in screening.serology.items():
            data[f"serology_{test}"] = result
        for cid, answer in screening.answers.items():
            data[f"answer_{cid}"] = answer
        return data

    def to_action_data(self) -> dict[str, Any]:
        cd = self.cleaned_data
        data: dict[str, Any] = {f: cd.get(f) for f in m.Screening.SCALAR_FIELDS}
        data["serology"] = {t: cd.get(f"serology_{t}") or "" for t in m.SEROLOGY_TESTS}
        data["answers"] = {k[len("answer_"):]: v or "" for k, v in cd.items() if k.startswith("answer_")}
        return data

    def serology_fields(self) -> list[Any]:
        return [self[f"serology_{t}"] for t in m.SEROLOGY_TESTS]

    def answer_fields(self) -> list[Any]:
        return [self[name] for name in self.fields if name.startswith("answer_")]

    def base_fields_bound(self) -> list[Any]:
        return [self[f] for f in m.Screening.SCALAR_FIELDS]


class CodedEntryForm(forms.Form):
    """A medical history item or medication: the kind chooses the code system, so the code is
    typed bare (``C50.9``, ``H02AB06``); the action normalises it and checks it against the
    protocol's code lists."""

    kind = forms.ChoiceField(label=_("Entry"), choices=[("condition", _("Medical history (ICD-10)")),
                                                        ("medication", _("Medication (ATC)"))])
    code = forms.CharField(label=_("Code"), max_length=32,
                           widget=forms.TextInput(attrs={"list": "codes", "placeholder": "C50.9 / H02AB06"}))
    start = forms.DateField(label=_("Onset / start"), **DATE)  # type: ignore[arg-type]
    end = forms.DateField(label=_("End (empty: ongoing)"), required=False, **DATE)  # type: ignore[arg-type]


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class QueryForm(forms.Form):
    criterion_id = forms.CharField(label=_("Criterion"), max_length=8, required=False)
    field = forms.CharField(label=_("Field"), max_length=64, required=False)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))


class QueryStepForm(forms.Form):
    step = forms.ChoiceField(choices=[("answer", _("Answer")), ("close", _("Close")), ("reopen", _("Reopen"))])
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SignForm(forms.Form):
    password = forms.CharField(label=_("Your password (electronic signature)"), widget=forms.PasswordInput)
