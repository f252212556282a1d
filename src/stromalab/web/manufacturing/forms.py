"""Forms of the manufacturing pages: parsing only; every rule lives in ``actions.py``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stromalab.web.donors.models import Donor
from stromalab.web.materials.models import Lot
from stromalab.web.materials.usage import lot_choices

from .models import Box, Container, Deviation

_DT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _dt(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, input_formats=_DT_FORMATS,
                               widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


#: spaces people put between thousands ("30 000 000", plain, no-break or narrow no-break space)
_THOUSANDS = str.maketrans("", "", " \u00a0\u202f\u2009")


class TypedDecimalField(forms.DecimalField):
    """A decimal as people type it, in English or French: ``52,5`` or ``52.5``, ``1 500``. A
    text box (``inputmode=decimal``), since a browser's number box refuses a comma in some
    locales; the action then bounds the value."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.translate(_THOUSANDS)
            if "," in value and "." not in value:
                value = value.replace(",", ".")
        return super().to_python(value)


class TypedIntegerField(forms.IntegerField):
    """A whole number as people type it, spaces between thousands accepted (``30 000 000``)."""

    widget = forms.TextInput(attrs={"inputmode": "numeric"})

    def to_python(self, value: Any) -> Any:
        return super().to_python(value.translate(_THOUSANDS) if isinstance(value, str) else value)


def _num(label: Any, required: bool = True) -> forms.DecimalField:
    return TypedDecimalField(label=label, max_digits=12, decimal_places=3, required=required)


def _cells(label: Any) -> forms.IntegerField:
    return TypedIntegerField(label=label, min_value=1)


class SignedForm(forms.Form):
    """Completing a step is signed: the operator's password is asked again."""

    deviation_reason = forms.CharField(
        label=_("Deviation reason (only if a value is outside its in-process limit)"), required=False,
        max_length=1000)
    password = forms.CharField(label=_("Your password (electronic signature)"), widget=forms.PasswordInput)


class HarvestForm(SignedForm):
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Donor.objects.none(), to_field_name="pseudonym")
    harvested_at = _dt(_("Harvest date and time"))
    surgeon = forms.CharField(label=_("Surgeon"), max_length=200)
    mass_g = _num(_("Mass (g)"))
    container = forms.CharField(label=_("Container"), max_length=200)
    transport_temperature = forms.CharField(label=_("Transport temperature"), max_length=200)
    departed_at = _dt(_("Departure time"))
    field_order = ["donor", "harvested_at", "surgeon", "mass_g", "container", "transport_temperature",
                   "departed_at", "deviation_reason", "password"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = Donor.objects.filter(  # type: ignore[attr-defined]
            status=Donor.ENROLLED, withdrawn_at__isnull=True, voided_at__isnull=True).order_by("sequence")


class ReceiptForm(SignedForm):
    received_at = _dt(_("Arrival date and time"))
    temperature_c = _num(_("Temperature on arrival (°C)"))
    integrity = forms.ChoiceField(label=_("Container integrity"),
                                  choices=[("intact", _("intact")), ("damaged", _("damaged")),
                                           ("leaking", _("leaking"))])
    mass_g = _num(_("Mass (g)"))
    field_order = ["received_at", "temperature_c", "integrity", "mass_g", "deviation_reason", "password"]


class IsolationForm(SignedForm):
    isolated_at = _dt(_("Isolation date and time"))
    cell_count = _cells(_("Total nucleated cells"))
    viability_pct = _num(_("Viability (%)"))
    field_order = ["isolated_at", "cell_count", "viability_pct", "deviation_reason", "password"]


class SeedForm(forms.Form):
    seeded_at = _dt(_("Seeding date and time"))
    cells_seeded = _cells(_("Cells seeded"))
    vessel = forms.CharField(label=_("Vessel"), max_length=200)
    surface_cm2 = _num(_("Surface (cm²)"))
    medium_lot = forms.ChoiceField(label=_("Medium lot"))
    reagent_lots = forms.MultipleChoiceField(label=_("Reagent lots"), required=False)
    deviation_reason = forms.CharField(
        label=_("Deviation reason (if beyond the passage limit, or a lot not released or expired)"),
        required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Lots are chosen from the materials register (fit ones first; see materials.usage)."""
        super().__init__(*args, **kwargs)
        self.fields["medium_lot"].choices = lot_choices(Lot.MEDIUM)  # type: ignore[attr-defined]
        self.fields["reagent_lots"].choices = lot_choices(Lot.REAGENT)  # type: ignore[attr-defined]


class PassageHarvestForm(SignedForm):
    harvested_at = _dt(_("Harvest date and time"))
    cells_harvested = _cells(_("Cells harvested"))
    viability_pct = _num(_("Viability (%)"))
    confluence_pct = _num(_("Confluence (%)"), required=False)
    field_order = ["harvested_at", "cells_harvested", "viability_pct", "confluence_pct", "deviation_reason",
                   "password"]


class FreezingForm(forms.Form):
    frozen_at = _dt(_("Freezing date and time"))
    container_type = forms.ChoiceField(label=_("Container type"), choices=Container.TYPES)
    container_count = forms.IntegerField(label=_("Number of containers"), min_value=1, max_value=676)
    volume_ml = _num(_("Volume per container (mL)"))
    cells_per_container = _cells(_("Cells per container"))
    product_description = forms.CharField(label=_("Product description"), max_length=200, required=False)
    password = forms.CharField(label=_("Your password (electronic signature)"), widget=forms.PasswordInput)


class StorageForm(forms.Form):
    box = forms.ModelChoiceField(label=_("Box"), queryset=Box.objects.all())
    start_position = forms.IntegerField(label=_("First position"), min_value=1, initial=1)
    password = forms.CharField(label=_("Your password (electronic signature)"), widget=forms.PasswordInput)


class BoxForm(forms.Form):
    tank = forms.CharField(label=_("Tank"), max_length=50)
    rack = forms.CharField(label=_("Rack"), max_length=50)
    name = forms.CharField(label=_("Box"), max_length=50)
    rows = forms.IntegerField(label=_("Rows"), min_value=1, max_value=26, initial=9)
    columns = forms.IntegerField(label=_("Columns"), min_value=1, max_value=26, initial=9)


class MoveForm(forms.Form):
    box = forms.ModelChoiceField(label=_("Box"), queryset=Box.objects.all())
    position = forms.IntegerField(label=_("Position number"), min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DispatchForm(forms.Form):
    destination = forms.CharField(label=_("Destination"), max_length=200)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class DeviationForm(forms.Form):
    description = forms.CharField(label=_("Description"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Reason / immediate action"), max_length=2000)


class DeviationCloseForm(forms.Form):
    """Closing a deviation after its investigation: impact, conclusion, e-signature ("reviewed")."""

    impact = forms.ChoiceField(label=_("Impact on the product"), choices=Deviation.IMPACTS)
    conclusion = forms.CharField(label=_("Investigation summary and conclusion"), max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    password = forms.CharField(label=_("Your password (electronic signature, meaning \"reviewed\")"),
                               widget=forms.PasswordInput)


class LookupForm(forms.Form):
    q = forms.CharField(label=_("DIN, scanned label or container identifier"), max_length=100)
