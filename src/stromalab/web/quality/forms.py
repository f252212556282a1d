"""Forms of the quality pages (the actions validate again: forms only shape input)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import get_language, gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from stromalab.core.manufacturing.specification import PerDoseLimit, Requirement
from stromalab.web.materials.usage import instrument_choices

from .spec import choice_options

DATE: dict[str, Any] = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def value_field(requirement: Requirement | None, *, required: bool = True) -> forms.Field:
    """The result's field for ``requirement``: a select of its choices for a qualitative test;
    for another, text that takes a number as people write it (a decimal comma, spaces between
    thousands: the action parses it) labelled with the specification's unit, which is shown,
    never typed."""
    if requirement is not None and requirement.choices:
        return forms.ChoiceField(label=_("Result"), required=required,
                                 choices=[("", "—"), *choice_options(requirement)])
    label = gettext("Result")
    if requirement is not None and requirement.unit:
        label = gettext("Result (%(unit)s)") % {"unit": requirement.unit_label(get_language() or "en")}
    return forms.CharField(label=label, max_length=100, required=required,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


def _fit(form: forms.Form, requirement: Requirement | None, *, required: bool) -> None:
    """Give ``form`` the value field of ``requirement``; drop the dose where it means nothing."""
    form.fields["value"] = value_field(requirement, required=required)
    if requirement is not None and not isinstance(requirement.limit, PerDoseLimit):
        del form.fields["requested_dose"]


class ResultForm(forms.Form):
    """A result for one test, chosen beforehand (``requirement``; None when the posted test is
    not one of ``tests``, which the test field then refuses)."""

    test_id = forms.ChoiceField(label=_("Test"), widget=forms.HiddenInput)
    value = forms.CharField(label=_("Result"), max_length=100)
    requested_dose = forms.CharField(label=_("Requested dose (cells)"), max_length=24, required=False)
    method = forms.CharField(label=_("Method (empty: the specification's)"), max_length=200, required=False)
    instrument = forms.ChoiceField(label=_("Instrument"), required=False)
    performed_on = forms.DateField(label=_("Date performed"), **DATE)
    deviation_reason = forms.CharField(
        label=_("Deviation reason (only if the instrument is past its calibration due date)"), required=False,
        max_length=1000)

    def __init__(self, *args: Any, tests: Sequence[tuple[str, str]] = (),
                 requirement: Requirement | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["test_id"]).choices = list(tests)
        # the instrument register's (materials app): in service, those within their due date first
        cast(forms.ChoiceField, self.fields["instrument"]).choices = instrument_choices()
        if requirement is not None:
            self.fields["test_id"].initial = requirement.id
        _fit(self, requirement, required=True)


class CorrectionForm(forms.Form):
    """A correction of a result of ``requirement`` (None: a test the specification no longer has)."""

    step = forms.ChoiceField(label=_("Step"), choices=[("correct", _("Correct")), ("void", _("Void"))],
                             initial="correct")
    value = forms.CharField(label=_("Result"), max_length=100, required=False)
    requested_dose = forms.CharField(label=_("Requested dose (cells)"), max_length=24, required=False)
    method = forms.CharField(label=_("Method"), max_length=200, required=False)
    instrument = forms.CharField(label=_("Instrument"), max_length=200, required=False)
    performed_on = forms.DateField(label=_("Date performed"), required=False, **DATE)
    reason = forms.CharField(label=_("Reason (required)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, requirement: Requirement | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _fit(self, requirement, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class FcsUploadForm(forms.Form):
    control = forms.FileField(label=_("Control tube (unstained or isotype), FCS"))
    stained = MultipleFileField(label=_("Stained tube(s), FCS"))
    reason = forms.CharField(label=_("Reason (required when it replaces existing results)"),
                             max_length=1000, required=False)


class OosCloseForm(forms.Form):
    conclusion = forms.CharField(label=_("Investigation conclusion"), max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    password = forms.CharField(label=_("Your password (electronic signature)"), widget=forms.PasswordInput)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[
        ("release", pgettext_lazy("verb", "Release")), ("reject", pgettext_lazy("verb", "Reject"))])
    reason = forms.CharField(label=_("Reason (required to reject)"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))
    password = forms.CharField(label=_("Your password (electronic signature)"), widget=forms.PasswordInput)
