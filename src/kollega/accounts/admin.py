"""Staff members in the admin: no passwords and no second factors set here.

An administrator adds people and gives them roles, and can reset a person's sign-in; the person
then enrols on the server with their own password and a new authenticator code
(`kollega enrol_staff NAME`). So no administrator can sign in as someone else.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kollega.accounts.actions import do_reset_sign_in
from kollega.accounts.models import User


class StaffCreationForm(forms.ModelForm[User]):
    """A new staff member without a password: they choose one when they enrol."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class StaffAdmin(UserAdmin[User]):
    add_form = StaffCreationForm
    add_fieldsets = ((None, {"fields": ("username", "first_name", "last_name", "email")}),)
    fieldsets = (
        (None, {"fields": ("username",)}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Roles"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups",)
    list_filter = ("is_active", "groups")
    actions = ["reset_sign_in"]

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        raise PermissionDenied

    @admin.action(description=_("Reset sign-in (the person must enrol again)"))
    def reset_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = 0
        for user in queryset:
            do_reset_sign_in(request.user, user)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d sign-in reset. Enrol the person on the server: kollega enrol_staff NAME",
                "%(count)d sign-ins reset. Enrol each person on the server: kollega enrol_staff NAME",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
