"""The counsellor's and the coordinator's half of the second round (issue 12): closing keeps
places and cancels what is planned, a proposed counsellor sees only what they need to decide,
the conversation limit, dated lists, referral notes, absences, the read-aloud phone link and
the forms' wording."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from kollega.service import actions
from kollega.service.adapters import batch_for, match_case
from kollega.service.models import (
    Appointment,
    Case,
    CounsellorProfile,
    Enrolment,
    Message,
    Status,
    hash_token,
)
from tests.cast import Cast
from tests.service.conftest import Seeker, submit
from tests.service.test_offerings import make_offering


def url(name: str, case: Case, *args: Any) -> str:
    return reverse(name, args=[case.pk, *args])


def soon(days: int = 3) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def plan(cast: Cast, case: Case, starts: datetime.datetime, where: str = "") -> Appointment:
    return actions.do_plan_appointment(
        cast.counsellor.user, case, starts=starts, minutes=45, mode="video", where=where
    )


def wishes_english(seeker: Seeker) -> None:
    """The service's messages to this seeker are written in English (else Norwegian)."""
    Case.objects.filter(pk=seeker.case.pk).update(pref_language="en")


def status_page(seeker: Seeker) -> str:
    return Client(HTTP_ACCEPT_LANGUAGE="en").get(seeker.url()).content.decode()


def holds_the_last_place(cast: Cast, seeker: Seeker) -> Seeker:
    """``seeker`` takes the only place on a course; returns the one waiting behind them."""
    offering = make_offering(capacity=1)
    actions.do_enrol_case(cast.coordinator.user, seeker.case, offering)
    waiting = submit()
    actions.do_enrol_case(cast.coordinator.user, waiting.case, offering)
    return waiting


# --- Closing a case ------------------------------------------------------------------------


def test_closing_keeps_the_seekers_course_place_unless_the_counsellor_chooses_otherwise(
    accepted: Seeker, cast: Cast
) -> None:
    wishes_english(accepted)
    offering = make_offering(capacity=10)
    actions.do_enrol_case(cast.coordinator.user, submit().case, offering)
    actions.do_enrol_case(cast.coordinator.user, accepted.case, offering)
    assert offering.places_taken() == 2
    client = cast.counsellor.client("en")
    form = client.get(url("service:case_close", accepted.case)).content.decode()
    assert "The seeker holds these places:" in form
    assert 'name="places"' in form
    response = client.post(
        url("service:case_close", accepted.case), {"outcome": "helped", "places": "keep"}
    )
    assert response.status_code == 302
    assert accepted.refresh().status == Status.CLOSED
    assert offering.places_taken() == 2
    page = status_page(accepted)
    assert "Ukeskurs for utbrente" in page
    assert "You keep your place on Ukeskurs for utbrente" in page
    assert Message.objects.get(case=accepted.case).sender == Message.Sender.SERVICE


def test_closing_may_give_up_the_places_and_the_waiting_list_moves_up(
    accepted: Seeker, cast: Cast
) -> None:
    wishes_english(accepted)
    waiting = holds_the_last_place(cast, accepted)
    response = cast.counsellor.client("en").post(
        url("service:case_close", accepted.case),
        {"outcome": "helped", "places": "give_up"},
        follow=True,
    )
    assert "places are given up" in response.content.decode()
    assert not accepted.case.enrolments.exists()
    assert Enrolment.objects.get(case=waiting.case).status == "placed"
    assert "Your place on Ukeskurs for utbrente" in status_page(accepted)


def test_a_bad_places_answer_changes_nothing(accepted: Seeker, cast: Cast) -> None:
    offering = make_offering(capacity=3)
    actions.do_enrol_case(cast.coordinator.user, accepted.case, offering)
    response = cast.counsellor.client().post(
        url("service:case_close", accepted.case), {"outcome": "helped", "places": "sell"}
    )
    assert response.status_code == 400
    assert accepted.refresh().status == Status.ACCEPTED
    assert accepted.case.enrolments.count() == 1


def test_closing_cancels_conversations_still_planned_and_tells_the_seeker(
    accepted: Seeker, cast: Cast
) -> None:
    wishes_english(accepted)
    later = plan(cast, accepted.case, soon(5))
    client = cast.counsellor.client("en")
    form = client.get(url("service:case_close", accepted.case)).content.decode()
    assert "1 conversation is still planned" in form
    assert "Closing the case cancels it" in form
    # No places held: no question about them.
    assert 'name="places"' not in form
    # One that has already begun stays in the record.
    past = Appointment.objects.create(
        case=accepted.case, starts=timezone.now() - datetime.timedelta(days=1), mode="phone"
    )
    response = client.post(url("service:case_close", accepted.case), {"outcome": "helped"})
    assert response.status_code == 302
    assert list(accepted.case.appointments.all()) == [past]
    assert not Appointment.objects.filter(pk=later.pk).exists()
    page = client.get(url("service:case", accepted.case)).content.decode()
    assert "1 planned conversation is cancelled" in page
    assert "The seeker is told on their status page" in page
    seeker_page = status_page(accepted)
    assert "is cancelled" in seeker_page
    assert "The service" in seeker_page


def test_a_closing_that_touches_nothing_writes_no_message(accepted: Seeker, cast: Cast) -> None:
    actions.do_close_case(cast.counsellor.user, accepted.case, outcome="helped")
    assert not Message.objects.exists()


def test_the_closing_message_is_in_the_language_the_seeker_wished(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    starts = soon()

    def closing_message(**wishes: Any) -> str:
        seeker = submit(**wishes)
        actions.do_assign_counsellor(cast.coordinator.user, seeker.case, profiles[0])
        actions.do_accept_case(cast.counsellor.user, seeker.case)
        plan(cast, seeker.case, starts)
        with translation.override("nb"):  # the counsellor works in Norwegian
            actions.do_close_case(cast.counsellor.user, seeker.case, outcome="helped")
        return str(Message.objects.get(case=seeker.case).body)

    def when(language: str) -> str:
        with translation.override(language):
            return str(formats.date_format(timezone.localtime(starts), "DATETIME_FORMAT"))

    english = closing_message(pref_language="en")
    assert english.startswith("Your counsellor has closed your request.")
    assert when("en") in english
    # No wish (or one the site has no pages in): the site's own language.
    assert when("nb") in closing_message()
    assert when("nb") in closing_message(pref_language="pl")


def test_the_closing_message_names_a_course_with_its_translation(
    accepted: Seeker, cast: Cast
) -> None:
    offering = make_offering(capacity=10)
    offering.title_en = "Week-long course for doctors"
    offering.save()
    actions.do_enrol_case(cast.coordinator.user, accepted.case, offering)
    case = Case.objects.get(pk=accepted.case.pk)
    case.pref_language = "en"
    case.save()
    actions.do_close_case(cast.counsellor.user, case, outcome="helped")
    body = str(Message.objects.get(case=case).body)
    assert f"{offering.title} (Week-long course for doctors)" in body


def test_the_seeker_gets_a_video_link_as_a_link(accepted: Seeker, cast: Cast) -> None:
    plan(cast, accepted.case, soon(), where="https://video.example.invalid/rom/4711")
    page = status_page(accepted)
    assert 'href="https://video.example.invalid/rom/4711"' in page


# --- A proposed counsellor -----------------------------------------------------------------

WORDS = "Overlegen min på Ahus gjør hverdagen tung."
NAME = "Marte Kvist"
PHONE = "+47 912 34 567"
AVOID = "Per Hansen"
SEEKER_MESSAGE = "Kan vi snakkes på kvelden?"


@pytest.fixture
def sensitive(cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]) -> Seeker:
    """A request with words, contact details and a message, first held by Tor (who planned a
    video call), then moved to Ingrid: proposed to her, not yet accepted."""
    seeker = submit(
        description=WORDS,
        contact_method="phone",
        contact_name=NAME,
        contact_phone=PHONE,
        avoid_people=AVOID,
        pref_language="nb",
        region="akershus",
        specialty="psychiatry",
    )
    tor = profiles[1]
    actions.do_assign_counsellor(cast.coordinator.user, seeker.case, tor)
    actions.do_accept_case(cast.other_counsellor.user, seeker.case)
    actions.do_send_message("seeker", seeker.case, body=SEEKER_MESSAGE)
    actions.do_plan_appointment(
        cast.other_counsellor.user,
        seeker.case,
        starts=soon(),
        minutes=45,
        mode="video",
        where="https://video.example.invalid/rom/marte-kvist",
    )
    actions.do_reassign_case(cast.coordinator.user, seeker.case, profiles[0], reason="Syk")
    assert seeker.refresh().status == Status.PROPOSED
    return seeker


def secrets_in(text: str) -> list[str]:
    return [s for s in (WORDS, NAME, PHONE, AVOID, SEEKER_MESSAGE, "marte-kvist") if s in text]


def test_a_proposed_counsellor_sees_what_to_decide_and_nothing_of_who_or_what(
    sensitive: Seeker, cast: Cast
) -> None:
    response = cast.counsellor.client("en").get(url("service:case", sensitive.case))
    assert response.status_code == 200
    page = response.content.decode()
    assert secrets_in(page) == []
    assert "I fear I can" in page  # the situation
    assert "Norwegian" in page  # the language wished
    assert "Akershus" in page and "Psychiatry" in page  # where the seeker works
    assert "open when you accept" in page
    assert "Accept the case" in page and "Decline" in page
    # Not even handed to the template: the view keeps them back.
    assert "description" not in response.context["request_view"]
    assert "messages_list" not in response.context


def test_a_proposed_counsellor_reaches_no_other_door_to_the_seekers_words(
    sensitive: Seeker, cast: Cast
) -> None:
    client = cast.counsellor.client("en")
    # Tor's planned call went with him when the case moved.
    assert not sensitive.case.appointments.exists()
    message = client.post(url("service:case_message", sensitive.case), {"body": "Hei"})
    assert message.status_code == 404
    for name in ("case_conversation", "case_appointment", "case_referral", "case_close"):
        response = client.get(url(f"service:{name}", sensitive.case), follow=True)
        assert secrets_in(response.content.decode()) == [], name
    decline = client.get(url("service:case_decline", sensitive.case))
    assert decline.status_code == 200
    assert secrets_in(decline.content.decode()) == []
    assert secrets_in(client.get(reverse("service:my_cases")).content.decode()) == []
    assert sensitive.case.messages.filter(sender="seeker").count() == 1


def test_after_accepting_the_counsellor_sees_everything(sensitive: Seeker, cast: Cast) -> None:
    client = cast.counsellor.client("en")
    assert client.post(url("service:case_accept", sensitive.case)).status_code == 302
    page = client.get(url("service:case", sensitive.case)).content.decode()
    assert set(secrets_in(page)) == {WORDS, NAME, PHONE, AVOID, SEEKER_MESSAGE}


def test_a_request_cancelled_while_only_proposed_stays_closed_to_the_counsellor(
    proposed: Seeker, cast: Cast
) -> None:
    actions.do_cancel_request(proposed.case)
    page = cast.counsellor.client().get(url("service:case", proposed.case)).content.decode()
    assert "Jeg sover dårlig." not in page


def test_a_case_closed_after_accepting_stays_readable_to_its_counsellor(
    accepted: Seeker, cast: Cast
) -> None:
    actions.do_cancel_request(accepted.case)
    page = cast.counsellor.client().get(url("service:case", accepted.case)).content.decode()
    assert "Jeg sover dårlig." in page


# --- The conversation limit -----------------------------------------------------------------


def test_with_no_conversations_left_no_form_is_offered_and_the_page_says_what_to_do(
    accepted: Seeker, cast: Cast, settings: Any
) -> None:
    settings.KOLLEGA_CONVERSATION_LIMIT = 1
    client = cast.counsellor.client("en")
    assert (
        'href="/service/cases/' in client.get(url("service:case", accepted.case)).content.decode()
    )
    actions.do_log_conversation(
        cast.counsellor.user, accepted.case, held_on=timezone.localdate(), mode="video", minutes=30
    )
    page = client.get(url("service:case", accepted.case)).content.decode()
    assert url("service:case_conversation", accepted.case) not in page
    assert "ask a coordinator to allow more conversations" in page
    form_page = client.get(url("service:case_conversation", accepted.case))
    assert form_page.status_code == 200
    text = form_page.content.decode()
    assert "<form" not in text.split("<main", 1)[1].split("</main>", 1)[0]
    assert "ask a coordinator to allow more conversations" in text
    actions.do_grant_conversations(cast.coordinator.user, accepted.case, extra=1, reason="Mer")
    assert (
        'name="held_on"'
        in client.get(url("service:case_conversation", accepted.case)).content.decode()
    )


# --- My cases -------------------------------------------------------------------------------


def test_my_cases_shows_dates_unread_messages_and_the_next_conversation(
    accepted: Seeker, cast: Cast
) -> None:
    client = cast.counsellor.client("en")
    actions.do_send_message("seeker", accepted.case, body="Én")
    actions.do_send_message("seeker", accepted.case, body="To")
    actions.do_send_message(cast.counsellor.user, accepted.case, body="Svar")
    starts = soon(4)
    plan(cast, accepted.case, starts)
    plan(cast, accepted.case, soon(9))
    response = client.get(reverse("service:my_cases"))
    (row,) = response.context["working"]
    assert row.unread == 2
    assert row.accepted_on is not None
    assert row.next_planned == starts
    page = response.content.decode()
    assert "2 new" in page
    assert "Next conversation" in page and "Accepted" in page
    # Opening the case reads the messages.
    client.get(url("service:case", accepted.case))
    (row,) = client.get(reverse("service:my_cases")).context["working"]
    assert row.unread == 0
    actions.do_send_message("seeker", accepted.case, body="Tre")
    (row,) = client.get(reverse("service:my_cases")).context["working"]
    assert row.unread == 1


def test_a_coordinator_opening_the_case_reads_nothing_for_the_counsellor(
    accepted: Seeker, cast: Cast
) -> None:
    actions.do_send_message("seeker", accepted.case, body="Én")
    cast.coordinator.client().get(url("service:case", accepted.case))
    (row,) = cast.counsellor.client().get(reverse("service:my_cases")).context["working"]
    assert row.unread == 1


def test_a_moved_case_is_unread_for_the_new_counsellor(sensitive: Seeker, cast: Cast) -> None:
    cast.other_counsellor.client().get(url("service:case", sensitive.case))
    actions.do_accept_case(cast.counsellor.user, sensitive.case)
    (row,) = cast.counsellor.client().get(reverse("service:my_cases")).context["working"]
    assert row.unread == 1


# --- The referral note ----------------------------------------------------------------------


def test_the_referral_note_is_on_the_case_page_after_saving(accepted: Seeker, cast: Cast) -> None:
    client = cast.counsellor.client("en")
    response = client.post(
        url("service:case_referral", accepted.case),
        {"kind": "gp", "consent": "on", "note": "Fastlegen tar imot neste uke."},
        follow=True,
    )
    page = response.content.decode()
    assert "The referral is recorded" in page
    assert "Fastlegen tar imot neste uke." in page
    coordinator = cast.coordinator.client().get(url("service:case", accepted.case))
    assert "Fastlegen tar imot" not in coordinator.content.decode()


def test_what_the_seeker_was_told_of_a_referral_is_on_the_case_page(
    accepted: Seeker, cast: Cast
) -> None:
    client = cast.counsellor.client("en")
    response = client.post(
        url("service:case_referral", accepted.case),
        {"kind": "gp", "consent": "on", "for_seeker": "Ring fastlegen på mandag."},
        follow=True,
    )
    assert "For the seeker: Ring fastlegen på mandag." in response.content.decode()


# --- Away until a date ----------------------------------------------------------------------


def test_an_away_counsellor_is_not_proposed_and_the_coordinator_sees_until_when(
    seeker: Seeker, cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    ingrid = profiles[0]
    ingrid.away_until = timezone.localdate() + datetime.timedelta(days=7)
    ingrid.save()
    with translation.override("en"):
        match = match_case(seeker.case)
        last_day = formats.date_format(ingrid.away_until, "DATE_FORMAT")
    assert [o.profile.pk for o in match.proposals] == [profiles[1].pk]
    (excluded,) = match.excluded
    assert excluded.reasons == [f"away until {last_day}"]
    pairs, _waiting = batch_for([seeker.case])
    assert [p.pk for _c, p in pairs] == [profiles[1].pk]
    client = cast.coordinator.client("en")
    page = client.get(url("service:case", seeker.case)).content.decode()
    assert "away until" in page
    listing = client.get(reverse("service:counsellors")).content.decode()
    assert "Away until" in listing


def test_an_absence_ends_by_itself_after_its_last_day(
    seeker: Seeker, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    ingrid = profiles[0]
    ingrid.away_until = timezone.localdate() - datetime.timedelta(days=1)
    ingrid.save()
    assert not ingrid.is_away()
    assert ingrid.pk in [o.profile.pk for o in match_case(seeker.case).proposals]
    ingrid.away_until = timezone.localdate()
    ingrid.save()
    assert ingrid.is_away()
    assert ingrid.pk not in [o.profile.pk for o in match_case(seeker.case).proposals]


def availability(profile: CounsellorProfile, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "languages": profile.languages,
        "capacity": profile.capacity,
        "active": "on" if profile.active else "",
        "remote": "on" if profile.remote else "",
        "conflict_employers": "",
        "conflict_people": "",
        "away_until": "",
    }
    data.update(changes)
    return data


def test_a_counsellor_sets_an_absence_on_their_profile(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    ingrid = profiles[0]
    client = cast.counsellor.client("en")
    last_day = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("service:my_profile"), availability(ingrid, away_until=last_day.isoformat())
    )
    assert response.status_code == 302
    ingrid.refresh_from_db()
    assert ingrid.away_until == last_day
    assert "You are away until" in client.get(reverse("service:my_cases")).content.decode()


@pytest.mark.parametrize("days", [-1, 400])
def test_an_absence_in_the_past_or_years_ahead_is_refused(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile], days: int
) -> None:
    ingrid = profiles[0]
    day = timezone.localdate() + datetime.timedelta(days=days)
    response = cast.counsellor.client("en").post(
        reverse("service:my_profile"), availability(ingrid, away_until=day.isoformat())
    )
    assert response.status_code == 400
    ingrid.refresh_from_db()
    assert ingrid.away_until is None


def test_a_profile_with_a_past_absence_can_still_be_saved(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile]
) -> None:
    ingrid = profiles[0]
    ingrid.away_until = timezone.localdate() - datetime.timedelta(days=3)
    ingrid.save()
    response = cast.counsellor.client().post(
        reverse("service:my_profile"),
        availability(ingrid, away_until=ingrid.away_until.isoformat(), capacity=4),
    )
    assert response.status_code == 302


# --- The phone request's link ---------------------------------------------------------------

PHONE_REQUEST = {
    "source": "phone",
    "acute_risk": "no",
    "category": "work",
    "contact_method": "phone",
    "contact_phone": "+47 912 34 567",
}


def test_a_phone_requests_link_is_shown_once_in_groups_and_never_stored_in_clear(
    cast: Cast,
) -> None:
    client = cast.coordinator.client("en")
    response = client.post(reverse("service:new_request"), PHONE_REQUEST)
    assert response.status_code == 302
    assert response["Location"] == reverse("service:phone_link")
    case = Case.objects.get()
    # Between saving and showing, the session holds the link encrypted only.
    (session,) = Session.objects.all()
    raw = session.session_data
    decoded = str(session.get_decoded())
    page = client.get(reverse("service:phone_link"))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    groups = page.context["token_groups"]
    token = "-".join(groups)
    assert len(groups) == 7 and all(len(g) == 4 for g in groups)
    assert re.fullmatch(r"[acdefhjkmnprtuvwxy34679-]+", token)
    assert token not in raw and token not in decoded
    assert case.token_hash == hash_token(token)
    text = page.content.decode()
    assert "This page is shown once." in text
    assert page.context["link_start"].endswith("/request/status/")
    assert f"/request/status/{token}/" in text and "status//" not in text
    assert all(f">{g}<" in text for g in groups)
    assert case.reference.split("-")[1] in text
    # Gone after one look: a reload shows nothing, and no session holds it.
    again = client.get(reverse("service:phone_link")).content.decode()
    assert token not in again and "no status link to show" in again
    assert all(token not in str(s.get_decoded()) for s in Session.objects.all())
    # The link works as typed, in capitals too.
    assert Client().get(reverse("service:status", args=[token])).status_code == 200
    assert Client().get(reverse("service:status", args=[token.upper()])).status_code == 200


def test_the_phone_link_page_refuses_others_and_post(cast: Cast) -> None:
    link = reverse("service:phone_link")
    assert Client().get(link)["Location"].startswith("/staff/login/")
    assert cast.counsellor.client().get(link).status_code == 403
    assert cast.coordinator.client().post(link).status_code == 405


def test_web_tokens_are_not_treated_as_spoken_ones(seeker: Seeker) -> None:
    assert Client().get(seeker.url()).status_code == 200
    assert Client().get(reverse("service:status", args=[seeker.token.upper()])).status_code in (
        404,
        429,
    )


# --- Words on the forms ---------------------------------------------------------------------


def test_staff_forms_offer_no_dashes_for_a_choice(
    cast: Cast, profiles: tuple[CounsellorProfile, CounsellorProfile], seeker: Seeker
) -> None:
    client = cast.coordinator.client("en")
    offering = make_offering(capacity=2)
    pages = {
        "offering form": client.get(reverse("service:offering_new")),
        "offering": client.get(reverse("service:offering", args=[offering.pk])),
        "profile": client.get(reverse("service:counsellor_edit", args=[profiles[0].pk])),
        "case": client.get(url("service:case", seeker.case)),
    }
    for name, response in pages.items():
        assert "---" not in response.content.decode(), name
    profile = pages["profile"].content.decode()
    assert "Choose region" in profile and "Choose specialty" in profile
    assert "Choose a day or course" in pages["case"].content.decode()


def test_the_waiting_list_buttons_say_what_they_do(accepted: Seeker, cast: Cast) -> None:
    offering = make_offering(capacity=1)
    actions.do_enrol_case(cast.coordinator.user, accepted.case, offering)
    other = submit()
    waiting = actions.do_enrol_case(cast.coordinator.user, other.case, offering)
    client = cast.coordinator.client("en")
    page = client.get(reverse("service:offering", args=[offering.pk])).content.decode()
    assert "Free the place" not in page
    assert "Remove from the participants" in page
    assert "Remove from the waiting list" in page
    response = client.post(reverse("service:enrolment_remove", args=[waiting.pk]), follow=True)
    assert f"{other.case.reference} is off the waiting list." in response.content.decode()
    assert accepted.case.enrolments.get().status == "placed"


def test_the_override_reason_is_not_called_optional(seeker: Seeker, cast: Cast, profiles) -> None:
    page = cast.coordinator.client("en").get(url("service:case", seeker.case)).content.decode()
    section = page.split("Choose someone else", 1)[1]
    label = section.split('for="id_override_reason"', 1)[1].split("</label>", 1)[0]
    assert "Why not the first proposal?" in label
    assert "optional" not in label
    assert "Required when" not in section


def test_the_sign_in_fields_have_the_sites_input_style(db: None) -> None:
    page = Client().get(reverse("accounts:login")).content.decode()
    inputs = re.findall(r"<input[^>]+name=\"(?:username|password|otp_token)\"[^>]*>", page)
    assert len(inputs) == 3
    assert all('class="ds-input"' in tag for tag in inputs)
