"""Staff members in the admin, changed only through Kollega's audited actions.

An administrator adds people, gives them roles, resets a person's sign-in and deactivates
accounts. No password, second factor, permission or superuser flag is set here, roles are
checked by `kollega.accounts.actions` (an administrator holds no role that reads seekers' data
and cannot change their own roles), and the person is told when their roles change. The person
enrols on the server with their own password and a new authenticator code
(`kollega enrol_staff NAME`), so no administrator can sign in as someone else.

Groups (the roles themselves) and django-otp's device pages are taken out of the admin: a
renamed group or a device with a key the administrator chose would hand out sign-ins and roles
past these rules.
"""

from __future__ import annotations

from typing import Any

# Imported first so that their registrations exist to be taken out below (autodiscover imports
# them later from the module cache, without registering again).
import django.contrib.auth.admin  # noqa: F401
import django_otp.plugins.otp_static.admin
import django_otp.plugins.otp_totp.admin  # noqa: F401
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kollega.accounts import actions
from kollega.accounts.models import User
from kollega.core.audit import Actor
from kollega.core.errors import ActionRefused
from kollega.core.regions import Region
from kollega.core.roles import (
    ADMINISTRATOR,
    COORDINATOR,
    COUNSELLOR,
    COUNTY_LEADER,
    RESEARCHER,
    ROLES,
)

ROLE_LABELS = {
    COUNSELLOR: _("Counsellor"),
    COORDINATOR: _("Coordinator"),
    RESEARCHER: _("Researcher"),
    ADMINISTRATOR: _("Administrator"),
    COUNTY_LEADER: _("County leader"),
}

for _model in (Group, TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class StaffForm(forms.ModelForm[User]):
    """Name, address and roles; the roles are checked against the rules before saving."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        required=False,
        choices=[(role, ROLE_LABELS[role]) for role in ROLES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "An administrator cannot also be a counsellor, coordinator or researcher. "
            "The person is told by e-mail when their roles change."
        ),
    )
    counties = forms.MultipleChoiceField(
        label=_("counties led"),
        required=False,
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a county leader: the counties whose collegial support they lead."),
    )
    actor: Actor = None

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["roles"].initial = sorted(actions.roles_held(self.instance))
            self.fields["counties"].initial = list(self.instance.counties or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            if self.instance.pk:
                actions.check_role_change(self.actor, self.instance, data.get("roles", []))
            else:
                actions.check_roles(data.get("roles", []))
        except ActionRefused as refused:
            self.add_error("roles", str(refused))
        if not self.instance.pk and data.get("username"):
            try:
                actions.check_new_username(data["username"])
            except ActionRefused as refused:
                self.add_error("username", str(refused))
        return data


@admin.register(User)
class StaffAdmin(admin.ModelAdmin[User]):
    form = StaffForm
    add_fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "roles", "counties")}),
    )
    fieldsets = (
        (None, {"fields": ("username", "is_active", "enrolled")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Roles"), {"fields": ("roles", "counties")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("username", "is_active", "enrolled", "last_login", "date_joined")
    list_display = ("username", "first_name", "last_name", "role_list", "is_active", "enrolled")
    list_filter = ("is_active", "groups")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    actions = ["reset_sign_in", "deactivate", "reactivate"]

    def get_urls(self) -> list[URLPattern]:
        # Django's own address for setting a password answers: not here, to anyone.
        return [
            path(
                "<id>/password/",
                self.admin_site.admin_view(self.user_change_password),
                name="auth_user_password_change",
            ),
            *super().get_urls(),
        ]

    def user_change_password(self, request: HttpRequest, id: str) -> HttpResponse:
        raise PermissionDenied

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # `?password__startswith=` would let the list be used to read password hashes, and a
        # lookup through the devices would do the same for their keys.
        if lookup.startswith(("password", "totpdevice", "staticdevice")):
            return False
        return bool(super().lookup_allowed(lookup, value, request))  # type: ignore[arg-type]

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        return () if obj is None else self.readonly_fields

    def get_form(
        self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False  # deactivate instead: the audit log and cases keep pointing at the person

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found

    @admin.display(description=_("Roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(str(ROLE_LABELS[role]) for role in sorted(actions.roles_held(obj)))

    @admin.display(description=_("Enrolled"), boolean=True)
    def enrolled(self, obj: User) -> bool:
        return (
            obj.has_usable_password()
            and TOTPDevice.objects.filter(user=obj, confirmed=True).exists()
        )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            actions.do_change_staff(
                request.user,
                obj,
                roles=data["roles"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                counties=data.get("counties"),
            )
            return
        added = actions.do_add_staff(
            request.user,
            username=data["username"],
            roles=data["roles"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            counties=data.get("counties") or (),
        )
        obj.pk = added.pk
        obj._state.adding = False
        obj._state.db = added._state.db
        self.message_user(
            request,
            gettext("Enrol %(name)s on the server with them present: kollega enrol_staff %(name)s")
            % {"name": added.username},
            messages.INFO,
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Roles were saved by the action; the form has no other relations."""

    def _each(self, request: HttpRequest, queryset: QuerySet[User], act: Any) -> int:
        done = 0
        for user in queryset:
            try:
                act(request.user, user)
            except ActionRefused as refused:
                self.message_user(request, str(refused), messages.ERROR)
            else:
                done += 1
        return done

    @admin.action(description=_("Reset sign-in (the person must enrol again)"))
    def reset_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = self._each(request, queryset, actions.do_reset_sign_in)
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

    @admin.action(description=_("Deactivate (the person can no longer sign in)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = self._each(request, queryset, actions.do_deactivate_staff)
        if count:
            self.message_user(
                request,
                ngettext(
                    "%(count)d staff member deactivated.",
                    "%(count)d staff members deactivated.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )

    @admin.action(description=_("Reactivate"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        count = self._each(request, queryset, actions.do_reactivate_staff)
        self.message_user(
            request,
            ngettext(
                "%(count)d staff member reactivated.",
                "%(count)d staff members reactivated.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
