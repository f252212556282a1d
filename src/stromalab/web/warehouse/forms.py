from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import sources


class PrescreenForm(forms.Form):
    source = forms.ChoiceField(label=_("Warehouse"))
    as_of = forms.CharField(label=_("Pre-screening date"), max_length=10,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            help_text=_("YYYY-MM-DD; every window counts back from it"))
    schedule = forms.FileField(label=_("Operating-room schedule (CSV, optional)"), required=False,
                               help_text="person_id,date,procedure,site,anesthesia")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["source"].choices = [  # type: ignore[attr-defined]
            (s.name, _("%(name)s (synthetic demonstration data)") % {"name": s.name} if s.demo else s.name)
            for s in sources.configured()]


class RegisterForm(forms.Form):
    """The warehouse holds no names; the donor registry needs them (identity store only)."""

    last_name = forms.CharField(label=_("last name"), max_length=150)
    first_name = forms.CharField(label=_("first name"), max_length=150)
