from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Consent, DonorIdentity, InformationSheet, Study

if TYPE_CHECKING:  # Django's ModelForm is generic only in django-stubs, not at run time
    _IdentityModelForm = forms.ModelForm[DonorIdentity]
else:
    _IdentityModelForm = forms.ModelForm


class IdentityForm(_IdentityModelForm):
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

    def __init__(self, *args: Any, study: Study | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sheet = cast("forms.ModelChoiceField[InformationSheet]", self.fields["sheet"])
        sheet.queryset = InformationSheet.objects.filter(study=study)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)
