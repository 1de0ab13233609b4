"""The named cast every test uses: two counsellors, a coordinator, a researcher, an
administrator, an outsider (staff with no role) and a stranger (not signed in).

The help-seeker has no account; tests that need one create a request through the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from kollega.accounts.actions import do_create_staff
from kollega.accounts.models import User
from kollega.core import roles

PASSWORD = "correct horse battery staple"


@dataclass
class Member:
    user: User
    device: Any

    @property
    def username(self) -> str:
        return self.user.username

    def client(self, language: str | None = None) -> Client:
        """A test client signed in with password and second factor, as after a real login.

        ``language`` sets the browser's Accept-Language (the site's default is Norwegian).
        """
        client = Client(HTTP_ACCEPT_LANGUAGE=language) if language else Client()
        client.force_login(self.user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = self.device.persistent_id
        session.save()
        return client


@dataclass
class Cast:
    counsellor: Member
    other_counsellor: Member
    coordinator: Member
    researcher: Member
    administrator: Member
    outsider: Member

    def members(self) -> dict[str, Member]:
        return {
            "counsellor": self.counsellor,
            "other_counsellor": self.other_counsellor,
            "coordinator": self.coordinator,
            "researcher": self.researcher,
            "administrator": self.administrator,
            "outsider": self.outsider,
        }


def make_member(username: str, *member_roles: str, first_name: str = "") -> Member:
    user, device = do_create_staff(
        username=username, password=PASSWORD, roles=list(member_roles), first_name=first_name
    )
    return Member(user, device)


def make_cast() -> Cast:
    return Cast(
        counsellor=make_member("ingrid", roles.COUNSELLOR, first_name="Ingrid"),
        other_counsellor=make_member("tor", roles.COUNSELLOR, first_name="Tor"),
        coordinator=make_member("kari", roles.COORDINATOR, first_name="Kari"),
        researcher=make_member("sara", roles.RESEARCHER, first_name="Sara"),
        administrator=make_member("aksel", roles.ADMINISTRATOR, first_name="Aksel"),
        outsider=make_member("olav", first_name="Olav"),
    )
