from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from . import roles


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(label=_("New password (again)"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password2"):
            raise forms.ValidationError(_("The two new passwords differ."))
        return data


class UserCreateForm(forms.Form):
    username = forms.RegexField(label=_("Username"), regex=r"^[\w.@+-]{1,150}$")
    role = forms.ChoiceField(label=_("Role"), choices=roles.CHOICES)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)


class UserAdminForm(forms.Form):
    OPERATIONS = [
        ("reset_password", _("Reset password (one-time)")),
        ("unlock", _("Unlock")),
        ("set_role", _("Change role")),
        ("deactivate", _("Deactivate")),
        ("activate", _("Reactivate")),
    ]
    operation = forms.ChoiceField(choices=OPERATIONS)
    role = forms.ChoiceField(choices=roles.CHOICES, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class TokenForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=100, required=False)
