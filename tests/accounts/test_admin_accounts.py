"""The administrator manages accounts through audited actions and cannot become anyone (issue 18).

Each test plays the administrator as an attacker: every path the Django admin offered to sign in
as someone, or to read seekers' data, is tried and must fail, leave nothing changed, and the
allowed changes must reach the audit log and the person they concern.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from kollega.accounts import actions
from kollega.accounts.models import User
from kollega.core.errors import ActionRefused
from kollega.core.models import AuditEvent
from kollega.core.roles import ADMINISTRATOR, COORDINATOR, COUNSELLOR, RESEARCHER, roles_of
from kollega.research.models import Study
from tests.cast import Cast, make_member

ADMIN = f"/{settings.ADMIN_PATH}"
USERS = f"{ADMIN}accounts/user/"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# A key the administrator would choose for someone else's authenticator (hex, 20 bytes).
CHOSEN_KEY = "3132333435363738393031323334353637383930"


@pytest.fixture
def tasks_now(settings: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """Run the e-mail tasks at once: `with tasks_now(): ...` sends what the block queued."""
    settings.TASKS = IMMEDIATE
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _change(client: Client, user: User, **fields: Any) -> Any:
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": sorted(actions.roles_held(user)),
    }
    data.update(fields)
    return client.post(f"{USERS}{user.pk}/change/", data)


def _groups(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


# --- (a) A second factor with a key the administrator chose ---------------------------------


@pytest.mark.parametrize(
    "path", ["otp_totp/totpdevice/", "otp_totp/totpdevice/add/", "otp_static/staticdevice/add/"]
)
def test_it_offers_no_page_to_list_or_add_second_factors(cast: Cast, path: str) -> None:
    client = cast.administrator.client()
    assert client.get(f"{ADMIN}{path}").status_code == 404
    response = client.post(
        f"{ADMIN}{path}",
        {"user": cast.counsellor.user.pk, "name": "mine", "key": CHOSEN_KEY, "confirmed": "on"},
    )
    assert response.status_code == 404
    assert not TOTPDevice.objects.filter(key=CHOSEN_KEY).exists()
    assert not StaticDevice.objects.filter(user=cast.counsellor.user).exists()


def test_it_cannot_change_an_existing_second_factor(cast: Cast) -> None:
    device = cast.counsellor.device
    client = cast.administrator.client()
    response = client.post(
        f"{ADMIN}otp_totp/totpdevice/{device.pk}/change/",
        {"user": cast.counsellor.user.pk, "name": "x", "key": CHOSEN_KEY, "confirmed": "on"},
    )
    assert response.status_code == 404
    device.refresh_from_db()
    assert device.key != CHOSEN_KEY


def test_it_ignores_password_and_superuser_fields_posted_to_the_staff_form(cast: Cast) -> None:
    target = cast.outsider.user
    client = cast.administrator.client()
    response = _change(
        client,
        target,
        password="pbkdf2_sha256$1$salt$chosen",
        password1="a password the administrator knows",
        is_superuser="on",
        is_staff="on",
        groups=[Group.objects.get_or_create(name=COORDINATOR)[0].pk],
        user_permissions=[1, 2, 3],
    )
    assert response.status_code == 302
    target = User.objects.get(pk=target.pk)
    assert not target.is_superuser and not target.is_staff
    assert not target.user_permissions.exists()
    assert _groups(target) == set()
    assert target.check_password("correct horse battery staple")
    assert client.get(f"{USERS}{target.pk}/password/").status_code == 403


def test_the_staff_form_offers_no_password_groups_permissions_or_superuser(cast: Cast) -> None:
    page = cast.administrator.client().get(f"{USERS}{cast.outsider.user.pk}/change/")
    body = page.content.decode()
    for name in ("password", "password1", "is_superuser", "is_staff", "user_permissions", "groups"):
        assert f'name="{name}"' not in body
    assert 'name="roles"' in body


# --- (b) Taking a role that reads seekers' data ------------------------------------------------


@pytest.mark.parametrize(
    "roles",
    [[ADMINISTRATOR, COORDINATOR], [COORDINATOR], [ADMINISTRATOR, COUNSELLOR], [RESEARCHER]],
)
def test_it_refuses_the_administrator_giving_themself_a_role(cast: Cast, roles: list[str]) -> None:
    me = cast.administrator.user
    response = _change(cast.administrator.client(), me, roles=roles)
    assert response.status_code == 200
    assert "roles" in response.context["adminform"].form.errors
    assert _groups(me) == {ADMINISTRATOR}
    assert User.objects.get(pk=me.pk).is_superuser
    assert not AuditEvent.objects.filter(action="accounts.change_staff").exists()


def test_it_refuses_a_reading_role_for_another_administrator(cast: Cast) -> None:
    other = make_member("berit", ADMINISTRATOR).user
    response = _change(cast.administrator.client("en"), other, roles=[ADMINISTRATOR, COORDINATOR])
    assert response.status_code == 200
    assert "counsellor, coordinator or researcher" in response.content.decode()
    assert _groups(other) == {ADMINISTRATOR}


def test_it_offers_no_group_pages(cast: Cast) -> None:
    client = cast.administrator.client()
    coordinators = Group.objects.get(name=COORDINATOR)
    assert client.get(f"{ADMIN}auth/group/").status_code == 404
    response = client.post(
        f"{ADMIN}auth/group/{coordinators.pk}/change/", {"name": ADMINISTRATOR, "permissions": []}
    )
    assert response.status_code == 404
    assert Group.objects.get(pk=coordinators.pk).name == COORDINATOR
    assert "auth/group" not in client.get(ADMIN).content.decode()


def test_it_changes_another_persons_roles_audited_and_tells_them(
    cast: Cast, tasks_now: Any
) -> None:
    target = cast.outsider.user
    target.email = "olav@example.invalid"
    target.save()
    with tasks_now():
        response = _change(cast.administrator.client(), target, roles=[COUNSELLOR])
    assert response.status_code == 302
    assert roles_of(User.objects.get(pk=target.pk)) == {COUNSELLOR}
    event = AuditEvent.objects.get(action="accounts.change_staff")
    assert event.actor == cast.administrator.user
    assert event.details["roles_before"] == [] and event.details["roles"] == [COUNSELLOR]
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["olav@example.invalid"]
    assert "/staff/login/" in sent.body
    assert "counsellor" not in f"{sent.subject} {sent.body}".lower()


def test_it_refuses_the_administrator_removing_their_own_administrator_role(cast: Cast) -> None:
    me = cast.administrator.user
    with pytest.raises(ActionRefused):
        actions.do_change_staff(me, me, roles=[], first_name="A", last_name="", email="")
    assert User.objects.get(pk=me.pk).is_superuser


def test_it_lets_the_administrator_correct_their_own_name(cast: Cast) -> None:
    me = cast.administrator.user
    assert _change(cast.administrator.client(), me, last_name="Dahl").status_code == 302
    assert User.objects.get(pk=me.pk).last_name == "Dahl"


# --- (c) Joining a study ------------------------------------------------------------------------


@pytest.fixture
def study(cast: Cast) -> Study:
    from kollega.research import actions as research

    return research.do_create_study(
        cast.researcher.user, title="Hjelp å søke", aims="", language="nb"
    )


def _study_post(client: Client, study: Study, users: list[User]) -> Any:
    return client.post(
        f"{ADMIN}research/study/{study.pk}/change/",
        # Title and language as a full form would send them (the page shows them read-only).
        {"title": study.title, "language": study.language, "researchers": [u.pk for u in users]},
    )


def test_it_refuses_the_administrator_adding_themself_to_a_study(cast: Cast, study: Study) -> None:
    client = cast.administrator.client()
    response = _study_post(client, study, [cast.researcher.user, cast.administrator.user])
    assert response.status_code == 200
    assert set(study.researchers.all()) == {cast.researcher.user}
    assert not AuditEvent.objects.filter(action="accounts.set_study_researchers").exists()
    with pytest.raises(ActionRefused):
        actions.do_set_study_researchers(
            cast.administrator.user, study, [cast.researcher.user, cast.administrator.user]
        )


def test_it_refuses_adding_someone_without_the_researcher_role(cast: Cast, study: Study) -> None:
    response = _study_post(
        cast.administrator.client(), study, [cast.researcher.user, cast.coordinator.user]
    )
    assert response.status_code == 200
    assert set(study.researchers.all()) == {cast.researcher.user}


def test_it_adds_a_researcher_to_a_study_audited_and_tells_them(
    cast: Cast, study: Study, tasks_now: Any
) -> None:
    colleague = make_member("nora", RESEARCHER).user
    colleague.email = "nora@example.invalid"
    colleague.save()
    with tasks_now():
        response = _study_post(
            cast.administrator.client(), study, [cast.researcher.user, colleague]
        )
    assert response.status_code == 302
    assert set(study.researchers.all()) == {cast.researcher.user, colleague}
    event = AuditEvent.objects.get(action="accounts.set_study_researchers")
    assert event.details == {"added": [colleague.pk], "removed": []}
    assert [m.to for m in mail.outbox] == [["nora@example.invalid"]]
    assert "Hjelp" not in mail.outbox[0].body


def test_the_study_page_does_not_offer_the_administrator(cast: Cast, study: Study) -> None:
    page = cast.administrator.client().get(f"{ADMIN}research/study/{study.pk}/change/")
    offered = page.context["adminform"].form.fields["researchers"].queryset
    assert cast.administrator.user not in offered
    assert cast.coordinator.user not in offered
    assert cast.researcher.user in offered


# --- Adding, resetting and deactivating through the actions ------------------------------------


def test_it_adds_a_staff_member_who_must_enrol_themself(cast: Cast) -> None:
    response = cast.administrator.client().post(
        f"{USERS}add/",
        {
            "username": "marit",
            "first_name": "Marit",
            "last_name": "Lund",
            "email": "marit@example.invalid",
            "roles": [COUNSELLOR],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "kollega enrol_staff marit" in response.content.decode()
    user = User.objects.get(username="marit")
    assert roles_of(user) == {COUNSELLOR}
    assert not user.has_usable_password()
    assert not TOTPDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="accounts.add_staff")
    assert event.actor == cast.administrator.user and event.details == {"roles": [COUNSELLOR]}


def test_it_refuses_adding_an_administrator_who_reads_seekers_data(cast: Cast) -> None:
    response = cast.administrator.client().post(
        f"{USERS}add/", {"username": "marit", "roles": [ADMINISTRATOR, RESEARCHER]}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="marit").exists()


def test_it_refuses_a_username_that_differs_only_in_case(cast: Cast) -> None:
    response = cast.administrator.client("en").post(
        f"{USERS}add/", {"username": "Ingrid", "roles": [COUNSELLOR]}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(username__iexact="ingrid").count() == 1


def _act(client: Client, action: str, *users: User) -> Any:
    return client.post(
        USERS, {"action": action, "_selected_action": [u.pk for u in users]}, follow=True
    )


def test_a_reset_removes_every_second_factor_and_tells_the_person(
    cast: Cast, tasks_now: Any
) -> None:
    target = cast.counsellor.user
    target.email = "ingrid@example.invalid"
    target.save()
    StaticDevice.objects.create(user=target, name="backup", confirmed=True)
    victim = cast.counsellor.client()
    with tasks_now():
        response = _act(cast.administrator.client(), "reset_sign_in", target)
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not StaticDevice.objects.filter(user=target).exists()
    assert not User.objects.get(pk=target.pk).has_usable_password()
    assert victim.get("/staff/").status_code == 302  # their open session ended
    assert AuditEvent.objects.filter(action="accounts.reset_sign_in", object_id=target.pk).exists()
    assert [m.to for m in mail.outbox] == [["ingrid@example.invalid"]]


def test_it_deactivates_and_reactivates_audited(cast: Cast) -> None:
    target = cast.coordinator.user
    session = cast.coordinator.client()
    client = cast.administrator.client()
    _act(client, "deactivate", target)
    assert not User.objects.get(pk=target.pk).is_active
    assert session.get("/staff/").status_code == 302
    _act(client, "reactivate", target)
    assert User.objects.get(pk=target.pk).is_active
    assert [e.action for e in AuditEvent.objects.filter(object_id=target.pk).order_by("pk")][
        -2:
    ] == ["accounts.deactivate", "accounts.reactivate"]


def test_it_refuses_the_administrator_deactivating_themself(cast: Cast) -> None:
    me = cast.administrator.user
    response = _act(cast.administrator.client("en"), "deactivate", me)
    assert "Ask another administrator" in response.content.decode()
    assert User.objects.get(pk=me.pk).is_active


def test_it_offers_no_deleting_of_staff(cast: Cast) -> None:
    client = cast.administrator.client()
    target = cast.counsellor.user
    assert client.get(f"{USERS}{target.pk}/delete/").status_code == 403
    _act(client, "delete_selected", target)
    assert User.objects.filter(pk=target.pk).exists()


def test_the_server_commands_refuse_an_administrator_with_a_reading_role(db: None) -> None:
    with pytest.raises(ActionRefused):
        actions.do_create_staff(username="x", password="p" * 12, roles=[ADMINISTRATOR, COUNSELLOR])
    assert not User.objects.filter(username="x").exists()


# --- Outsiders ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "counsellor", "researcher", "outsider"])
def test_other_staff_cannot_change_accounts(cast: Cast, who: str) -> None:
    member = cast.members()[who]
    response = _change(member.client(), cast.outsider.user, roles=[COORDINATOR])
    assert response.status_code in (302, 403)
    assert _groups(cast.outsider.user) == set()


def test_a_stranger_cannot_change_accounts(cast: Cast) -> None:
    response = _change(Client(), cast.outsider.user, roles=[COORDINATOR])
    assert response.status_code == 302
    assert _groups(cast.outsider.user) == set()


def test_the_change_page_refuses_the_wrong_method(cast: Cast) -> None:
    client = cast.administrator.client()
    response = client.put(f"{USERS}{cast.outsider.user.pk}/change/")
    # The admin answers methods it does not use with the form again, changing nothing.
    assert response.status_code in (200, 405)
    assert _groups(cast.outsider.user) == set()


@pytest.mark.parametrize(
    "query", ["password__startswith=pbkdf2", "totpdevice__key__startswith=3", "password=x"]
)
def test_the_staff_list_cannot_be_used_to_read_hashes_or_keys(cast: Cast, query: str) -> None:
    response = cast.administrator.client().get(f"{USERS}?{query}")
    assert response.status_code == 400


def test_it_explains_a_refusal_in_norwegian(cast: Cast) -> None:
    me = cast.administrator.user
    response = _change(cast.administrator.client(), me, roles=[COORDINATOR])
    assert "Du kan ikke endre dine egne roller" in response.content.decode()


def test_it_gives_a_county_leader_their_counties_audited(cast: Cast) -> None:
    from kollega.core.roles import COUNTY_LEADER, counties_of

    target = cast.outsider.user
    response = _change(
        cast.administrator.client(), target, roles=[COUNTY_LEADER], counties=["oslo", "agder"]
    )
    assert response.status_code == 302
    target = User.objects.get(pk=target.pk)
    assert counties_of(target) == {"oslo", "agder"}
    event = AuditEvent.objects.get(action="accounts.change_staff")
    assert event.details["counties"] == ["agder", "oslo"] and "counties" in event.details["fields"]
    page = cast.administrator.client().get(f"{USERS}{target.pk}/change/").content.decode()
    assert 'name="counties" value="oslo"' in page
    assert re.search(r'<input[^>]*name="counties" value="oslo"[^>]*checked', page)
