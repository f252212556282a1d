from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Consent, DonorIdentity, InformationSheet


class IdentityForm(forms.ModelForm):
    class Meta:
        model = DonorIdentity
        fields = list(DonorIdentity.FIELDS)


class IdentityChangeForm(IdentityForm):
    reason = forms.CharField(label=_("Reason for change"), max_length=500, required=False)


class ConsentForm(forms.Form):
    sheet = forms.ModelChoiceField(label=_("Information sheet"), queryset=InformationSheet.objects.none())
    status = forms.ChoiceField(label=_("Decision"), choices=Consent.STATUSES)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Comment / reason"), max_length=500, required=False)

    def __init__(self, *args: object, study: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["sheet"].queryset = InformationSheet.objects.filter(study=study)  # type: ignore[attr-defined]


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
