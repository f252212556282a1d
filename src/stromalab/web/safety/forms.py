"""Donor safety forms: choices where the protocol or ICH E2A defines the values, dates as dates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stromalab.web.screening.models import SEROLOGY_RESULTS

from . import models as m

_DATE = forms.DateInput(attrs={"type": "date"})
_PASSWORD_LABEL = _("Your password (electronic signature)")


class SamplesForm(forms.Form):
    """One visit's samples: per test a date, NAT (donation sample of the NAT tests) or the
    result (repeat sample); field names are the action's refusal keys (``HIV.sampled_on``)."""

    def __init__(self, *args: Any, visit: str, tests: tuple[str, ...], nat_tests: frozenset[str],
                 labels: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.visit, self.tests = visit, tests
        for test in tests:
            self.fields[f"{test}.sampled_on"] = forms.DateField(label=labels[f"{test}.sampled_on"],
                                                                required=False, widget=_DATE)
            if visit == m.InfectionSample.DONATION and test in nat_tests:
                self.fields[f"{test}.nat"] = forms.BooleanField(label=labels[f"{test}.nat"], required=False)
            if visit == m.InfectionSample.REPEAT:
                self.fields[f"{test}.result"] = forms.ChoiceField(
                    label=labels[f"{test}.result"], required=False, choices=[("", "—"), *SEROLOGY_RESULTS])
        self.fields["reason"] = forms.CharField(label=_("Reason for a change"), required=False, max_length=2000)

    @staticmethod
    def initial_from(samples: dict[str, m.InfectionSample]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for test, s in samples.items():
            out.update({f"{test}.sampled_on": s.sampled_on, f"{test}.nat": s.nat, f"{test}.result": s.result})
        return out

    def to_samples(self) -> dict[str, dict[str, Any]]:
        """The action's ``samples``: every test with a date, or a date removed, or NAT/result alone."""
        cd = self.cleaned_data
        return {test: {"sampled_on": cd.get(f"{test}.sampled_on"), "nat": cd.get(f"{test}.nat", False),
                       "result": cd.get(f"{test}.result", "")} for test in self.tests}


class _EventFields(forms.Form):
    seriousness = forms.MultipleChoiceField(label=_("Seriousness criteria (ICH E2A)"), choices=m.SERIOUSNESS,
                                            required=False, widget=forms.CheckboxSelectMultiple)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *m.OUTCOMES])
    follow_up = forms.CharField(label=_("Follow-up notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AdverseEventForm(_EventFields):
    onset_on = forms.DateField(label=_("Onset date"), widget=_DATE)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    relation = forms.ChoiceField(label=_("Relation to the procedure"), choices=[("", "—"), *m.RELATIONS])
    password = forms.CharField(label=_PASSWORD_LABEL, widget=forms.PasswordInput)
    field_order = ["onset_on", "description", "seriousness", "relation", "outcome", "follow_up", "password"]


class FollowUpForm(_EventFields):
    reason = forms.CharField(label=_("Reason for a change"), required=False, max_length=2000)
    password = forms.CharField(label=_PASSWORD_LABEL, widget=forms.PasswordInput)


class ReportForm(forms.Form):
    reported_on = forms.DateField(label=_("Reported to the sponsor on"), widget=_DATE)
