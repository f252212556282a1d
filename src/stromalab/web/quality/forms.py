"""Forms of the quality pages (the actions validate again: forms only shape input)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DATE: dict[str, Any] = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ResultForm(forms.Form):
    test_id = forms.ChoiceField(label=_("Test"))
    value = forms.CharField(label=_("Result"), max_length=100)
    unit = forms.CharField(label=_("Unit (empty: the specification's)"), max_length=20, required=False)
    requested_dose = forms.CharField(label=_("Requested dose (cells; cell count only)"), max_length=24,
                                     required=False)
    method = forms.CharField(label=_("Method (empty: the specification's)"), max_length=200, required=False)
    instrument = forms.CharField(label=_("Instrument"), max_length=200, required=False)
    performed_on = forms.DateField(label=_("Date performed"), **DATE)

    def __init__(self, *args: Any, tests: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["test_id"]).choices = list(tests)


class CorrectionForm(forms.Form):
    step = forms.ChoiceField(label=_("Step"), choices=[("correct", _("Correct")), ("void", _("Void"))],
                             initial="correct")
    value = forms.CharField(label=_("Result"), max_length=100, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    requested_dose = forms.CharField(label=_("Requested dose (cells)"), max_length=24, required=False)
    method = forms.CharField(label=_("Method"), max_length=200, required=False)
    instrument = forms.CharField(label=_("Instrument"), max_length=200, required=False)
    performed_on = forms.DateField(label=_("Date performed"), required=False, **DATE)
    reason = forms.CharField(label=_("Reason (required)"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


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
