"""Forms of the shipping pages: they offer the protocol's choices and shape input; the actions
validate again (the API reaches them without these forms)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from stromalab.core.shipping.plan import ShippingPlan
from stromalab.web.manufacturing.models import Container

from .models import Shipment

DATETIME: dict[str, Any] = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                            "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]}


def _options(plan: ShippingPlan, kind: str) -> list[tuple[str, str]]:
    language = get_language() or "en"
    return [("", "—"), *((c.value, c.label(language)) for c in getattr(plan, kind))]


class DispatchForm(forms.Form):
    """A shipment: the site, courier and packing of the study's plan, and the containers that
    may ship now (each labelled with its identifier, batch and storage place)."""

    site = forms.ChoiceField(label=_("Clinical site"))
    courier = forms.ChoiceField(label=_("Courier"))
    packing = forms.ChoiceField(label=_("Packing"))
    packing_identifier = forms.CharField(label=_("Packing identifier (as written on it)"), max_length=40)
    containers = forms.MultipleChoiceField(label=_("Containers"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, plan: ShippingPlan, containers: Sequence[Container], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, kind in (("site", "sites"), ("courier", "couriers"), ("packing", "packings")):
            cast(forms.ChoiceField, self.fields[name]).choices = _options(plan, kind)
        cast(forms.MultipleChoiceField, self.fields["containers"]).choices = [
            (str(c.pk), f"{c.identifier} — {c.location}") for c in containers]


class LoggerForm(forms.Form):
    file = forms.FileField(label=_("Temperature logger file (CSV: time, temperature_c)"))


class ReceiptForm(forms.Form):
    received_at = forms.DateTimeField(label=_("Received at"), **DATETIME)
    condition = forms.ChoiceField(label=_("Condition on arrival"), choices=[("", "—"), *Shipment.CONDITIONS])
    notes = forms.CharField(label=_("Notes (required when damaged)"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    password = forms.CharField(label=_("Your password (electronic signature)"), widget=forms.PasswordInput)
