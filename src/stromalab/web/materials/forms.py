"""Forms of the register and CAPA pages: parsing only; every rule lives in the actions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from stromalab.web.accounts.models import User

from .models import Capa, Instrument, Lot
from .permissions import CAPA_OWNERS


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))

PASSWORD = _("Your password (electronic signature)")


class LotForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Lot.KINDS)
    name = forms.CharField(label=_("Product"), max_length=200)
    supplier = forms.CharField(label=_("Supplier"), max_length=200)
    catalogue_number = forms.CharField(label=_("Catalogue number"), max_length=100)
    lot_number = forms.CharField(label=_("Lot number"), max_length=100)
    expires_on = _date(_("Expiry date"))
    certificate = forms.FileField(label=_("Supplier's certificate (PDF)"), required=False)


class CertificateForm(forms.Form):
    certificate = forms.FileField(label=_("Supplier's certificate (PDF)"))


class LotDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[(Lot.RELEASED, _("release")),
                                                               (Lot.REJECTED, _("reject"))])
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    password = forms.CharField(label=PASSWORD, widget=forms.PasswordInput)


class InstrumentForm(forms.Form):
    identifier = forms.CharField(label=_("Identifier"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Instrument.KINDS)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    due_on = _date(_("Calibration or qualification due"))


class InstrumentUpdateForm(forms.Form):
    due_on = _date(_("Next calibration or qualification due"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=[("", "—"), *Instrument.STATUSES], required=False)
    reason = forms.CharField(label=_("What was done, and why"), max_length=2000)


class CapaForm(forms.Form):
    answers = forms.ChoiceField(label=_("Deviation or OOS record answered"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Capa.KINDS)
    action = forms.CharField(label=_("Action"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = _date(_("Due date"))

    def __init__(self, *args: Any, answerable: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["answers"]).choices = answerable
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = User.objects.filter(  # type: ignore[type-arg]
            is_active=True, role__in=CAPA_OWNERS).order_by("last_name", "username")


class CapaCloseForm(forms.Form):
    effectiveness_check = forms.CharField(label=_("Effectiveness check"), max_length=4000,
                                          widget=forms.Textarea(attrs={"rows": 2}))
    checked_on = _date(_("Effectiveness checked on"))
    result = forms.ChoiceField(label=_("Effectiveness result"), choices=Capa.RESULTS)
    conclusion = forms.CharField(label=_("Conclusion"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    password = forms.CharField(label=_("Your password (electronic signature, meaning \"reviewed\")"),
                               widget=forms.PasswordInput)
