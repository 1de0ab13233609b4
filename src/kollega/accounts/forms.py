from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp import match_token


class StaffLoginForm(forms.Form):
    """Username, password and a six-digit code from the authenticator app, checked together.

    One message for every failure, so the form does not tell which part was wrong.
    """

    # Designsystemet's input class, as every other form on the site has.
    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"class": "ds-input"})
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"class": "ds-input"})
    )
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"class": "ds-input", "inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )

    error_invalid = _("The username, password or code is not right. Check them and try again.")

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: Any = None
        self.device: Any = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password, token = (
            data.get("username"),
            data.get("password"),
            data.get("otp_token"),
        )
        if not (username and password and token):
            return data
        user = authenticate(self.request, username=username, password=password)
        if user is None or not user.is_active:
            raise forms.ValidationError(self.error_invalid, code="invalid_login")
        device = match_token(user, token.strip().replace(" ", ""))
        if device is None:
            raise forms.ValidationError(self.error_invalid, code="invalid_token")
        self.user, self.device = user, device
        return data
