"""The admin sits on a non-default path behind TOTP, and audit rows there are read-only."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from kollega.core.audit import record
from kollega.core.models import AuditEvent
from tests.cast import Cast

ADMIN = f"/{settings.ADMIN_PATH}"


def test_the_admin_is_not_at_the_default_path(cast: Cast) -> None:
    assert ADMIN != "/admin/"
    assert cast.administrator.client().get("/admin/").status_code == 404


def test_the_administrator_with_a_second_factor_gets_in(cast: Cast) -> None:
    assert cast.administrator.client().get(ADMIN).status_code == 200


def test_a_password_alone_does_not_open_the_admin(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.administrator.user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(ADMIN, follow=True)
    assert response.request["PATH_INFO"] == "/staff/login/"


def test_other_roles_are_refused(cast: Cast) -> None:
    response = cast.coordinator.client().get(ADMIN, follow=True)
    assert response.status_code == 403


def test_audit_events_can_be_read_but_not_changed_or_deleted(cast: Cast) -> None:
    event = record(
        cast.coordinator.user, "service.view_case", object_type="service.case", object_id=7
    )
    client = cast.administrator.client()
    base = f"{ADMIN}core/auditevent/"
    listing = client.get(base)
    assert listing.status_code == 200
    assert "service.view_case" in listing.content.decode()
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(f"{base}{event.pk}/change/", {"action": "edited"})
    event.refresh_from_db()
    assert event.action == "service.view_case"
    assert AuditEvent.objects.count() >= 1


# --- Issue 18: the administrator cannot become anyone, and the admin's forms work -------------

# Every model the admin shows, and why each holds no seeker's data: staff and configuration,
# anonymous statistics, identifiers. Cases, messages, participants and transcripts are absent.
ADMIN_MODELS = {
    "accounts.user",  # staff
    "core.auditevent",  # identifiers and codes
    "django_tasks_database.dbtaskresult",  # ids only
    "service.counsellorprofile",  # staff
    "service.offering",  # courses and counselling days
    "service.casestatistic",  # anonymous
    "research.study",  # title and researchers
    "axes.accessattempt",  # staff sign-in attempts
    "axes.accesslog",
    "axes.accessfailurelog",
}


def test_the_admin_shows_only_models_without_seekers_data() -> None:
    from django.contrib import admin

    shown = {model._meta.label_lower for model in admin.site._registry}
    assert shown == ADMIN_MODELS


def test_no_admin_page_shows_a_seekers_name_contact_or_words(cast: Cast) -> None:
    from django.contrib import admin

    from tests.service.conftest import submit

    name, email, phone, words = "Marte Kvist", "marte@example.invalid", "+47 912 34 567", "Vaktene"
    seeker = submit(
        contact_name=name,
        contact_email=email,
        contact_phone=phone,
        description=f"{words} tar knekken på meg.",
        contact_method="email",
    )
    client = cast.administrator.client()
    pages = [ADMIN, f"{ADMIN}core/auditevent/?q=service"]
    for model in admin.site._registry:
        base = f"{ADMIN}{model._meta.app_label}/{model._meta.model_name}/"
        pages += [base, f"{base}?q={seeker.case.reference}"]
    pages += [
        f"{ADMIN}core/auditevent/{event.pk}/change/"
        for event in AuditEvent.objects.filter(object_id=seeker.case.pk)
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        body = response.content.decode()
        for secret in (name, email, phone, words):
            assert secret not in body, f"{secret!r} on {page}"


def test_audit_events_offer_no_form_and_no_actions(cast: Cast) -> None:
    event = record(cast.coordinator.user, "accounts.login", cast.coordinator.user, why="x")
    client = cast.administrator.client()
    page = client.get(f"{ADMIN}core/auditevent/{event.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert 'name="action"' not in client.get(f"{ADMIN}core/auditevent/").content.decode()
    client.post(
        f"{ADMIN}core/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert AuditEvent.objects.filter(pk=event.pk, action="accounts.login").exists()


def test_the_admin_sends_a_referrer_policy_that_lets_chromium_post_its_forms(cast: Cast) -> None:
    client = cast.administrator.client()
    for page in (ADMIN, f"{ADMIN}accounts/user/", f"{ADMIN}accounts/user/add/"):
        assert client.get(page)["Referrer-Policy"] == "same-origin"
    # Elsewhere nothing changes: the status page's address holds the seeker's secret.
    assert Client().get("/")["Referrer-Policy"] == "no-referrer"


def test_an_admin_post_with_the_browsers_origin_passes_the_csrf_check(cast: Cast) -> None:
    client = cast.administrator.client()
    client.handler.enforce_csrf_checks = True
    client.get(f"{ADMIN}accounts/user/add/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        f"{ADMIN}accounts/user/add/",
        {"username": "marit", "roles": ["counsellor"], "csrfmiddlewaretoken": token},
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 302


def test_a_counsellor_profile_cannot_be_moved_to_another_account(cast: Cast) -> None:
    from tests.service.conftest import make_profile

    profile = make_profile(cast.counsellor)
    profile.conflict_people = "Halvard Nes"  # encrypted: never on an admin page
    profile.save()
    client = cast.administrator.client()
    url = f"{ADMIN}service/counsellorprofile/{profile.pk}/change/"
    page = client.get(url)
    form = page.context["adminform"].form
    assert "user" not in form.fields
    assert "Halvard Nes" not in page.content.decode()
    add = client.get(f"{ADMIN}service/counsellorprofile/add/").context["adminform"].form
    offered = set(add.fields["user"].queryset)
    assert cast.administrator.user not in offered
    assert cast.coordinator.user not in offered
    assert cast.other_counsellor.user in offered
