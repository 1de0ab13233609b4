"""The canary sweep: unique strings typed through the web pages into every free-text, contact,
message, note, transcript and upload field must never appear in clear in the database file and
its WAL (or a pg_dump), the task tables, file storage, logs or sent e-mail; after deletion or
withdrawal they must not appear at all.

.ci/run repeats these tests on PostgreSQL and Redis.
"""

from __future__ import annotations

import logging
import struct
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.research.models import Recording, Transcript
from kollega.service.actions import run_retention
from kollega.service.models import Appointment, Case
from kollega.workbench import actions as workbench
from kollega.workbench.models import (
    Analysis,
    AnalysisTranscript,
    AnalyticText,
    CodeGroup,
    Condensate,
    GoldenQuote,
    MeaningUnit,
    Subgroup,
    Theme,
    ThemeState,
)
from tests.cast import Cast
from tests.privacy.canary import (
    Canaries,
    canary_of,
    checkpoint_sqlite,
    ciphertexts_of,
    decrypted_texts,
    leaks,
    run_queued_tasks,
    sent_mail,
    stored_bytes,
)
from tests.research.conftest import Studied, add_transcript, tone_wav
from tests.service.conftest import make_profile

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_services]


def ok(response: Any) -> Any:
    assert response.status_code in {200, 302}, (response.status_code, response.content[:2000])
    if response.status_code == 200:
        assert b'class="ds-validation-message' not in response.content, "a form was refused"
    return response


def check_stored_nowhere_in_clear(canaries: Canaries, caplog: Any) -> None:
    readable = decrypted_texts()
    missing = [field for field, value in canaries if value not in readable]
    assert not missing, f"these canaries never reached the database: {missing}"
    checkpoint_sqlite()
    places: dict[str, bytes | str] = {**stored_bytes(), "logs": caplog.text, "mail": sent_mail()}
    found = leaks(canaries, places)
    assert not found, "canaries stored in clear:\n" + "\n".join(found)


def check_gone(
    canaries: Canaries, caplog: Any, *, ciphertexts: Canaries, keep: frozenset[str] = frozenset()
) -> None:
    """No canary left in clear anywhere, none readable through the application, and not even
    the ciphertexts that held them left in the database file or dump."""
    checkpoint_sqlite()
    places: dict[str, bytes | str] = {
        **stored_bytes(),
        "logs": caplog.text,
        "mail": sent_mail(),
        "the database, decrypted": decrypted_texts(),
    }
    gone = Canaries()
    gone.by_field = {field: value for field, value in canaries if field not in keep}
    gone.by_field |= {field: value for field, value in ciphertexts if canary_of(field) not in keep}
    found = leaks(gone, places)
    assert not found, "canaries left after deletion:\n" + "\n".join(found)


def intake_form(canaries: Canaries, prefix: str, **fields: Any) -> dict[str, Any]:
    data = {
        "acute_risk": "no",
        "category": "coping",
        "description": canaries.text(f"{prefix}_description"),
        "avoid_employers": canaries.text(f"{prefix}_avoid_employers"),
        "avoid_people": canaries.text(f"{prefix}_avoid_people"),
        "contact_name": canaries.text(f"{prefix}_contact_name"),
    }
    data.update(fields)
    return data


def submit_through_intake(client: Client, canaries: Canaries, prefix: str, **fields: Any) -> str:
    """Send the public form; returns the status link's token."""
    response = ok(client.post(reverse("service:intake"), intake_form(canaries, prefix, **fields)))
    return str(response["Location"].split("/")[3])


def test_service_fields_never_rest_in_clear_and_go_with_the_case(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    canaries = Canaries()
    cast.counsellor.user.email = "ingrid@example.invalid"
    cast.counsellor.user.save()
    profile = make_profile(cast.counsellor)
    coordinator, counsellor = cast.coordinator.client(), cast.counsellor.client()

    # Two seekers through the public intake (e-mail and phone), one request taken by phone.
    seeker = Client()
    token = submit_through_intake(
        seeker,
        canaries,
        "seeker",
        contact_method="email",
        contact_email=canaries.email("seeker_contact_email"),
    )
    status = reverse("service:status", args=[token])
    caller_token = submit_through_intake(
        Client(),
        canaries,
        "caller",
        contact_method="phone",
        contact_phone=canaries.phone("caller_contact_phone"),
    )
    ok(
        coordinator.post(
            reverse("service:new_request"),
            intake_form(
                canaries,
                "staff_intake",
                source="phone",
                contact_method="phone",
                contact_phone=canaries.phone("staff_intake_contact_phone"),
            ),
        )
    )
    case = Case.objects.by_token(token)
    assert case is not None

    # The case's whole life: assignment, messages both ways, conversation, appointment,
    # referral, closing, feedback; the other two are withdrawn with a reason.
    ok(
        coordinator.post(
            reverse("service:case_assign", args=[case.pk]),
            {"counsellor": profile.pk, "override_reason": canaries.text("override_reason")},
        )
    )
    ok(counsellor.post(reverse("service:case_accept", args=[case.pk])))
    ok(seeker.post(status + "message/", {"body": canaries.text("seeker_message")}))
    ok(
        counsellor.post(
            reverse("service:case_message", args=[case.pk]),
            {"body": canaries.text("counsellor_message")},
        )
    )
    ok(
        counsellor.post(
            reverse("service:case_conversation", args=[case.pk]),
            {
                "held_on": timezone.localdate().isoformat(),
                "mode": "video",
                "minutes": 45,
                "note": canaries.text("conversation_note"),
            },
        )
    )
    starts = timezone.localtime() + timedelta(days=3)
    ok(
        counsellor.post(
            reverse("service:case_appointment", args=[case.pk]),
            {
                "starts": starts.strftime("%Y-%m-%dT%H:%M"),
                "minutes": 45,
                "mode": "in_person",
                "where": canaries.text("appointment_where"),
            },
        )
    )
    ok(
        counsellor.post(
            reverse("service:case_referral", args=[case.pk]),
            {"kind": "gp", "consent": "on", "note": canaries.text("referral_note")},
        )
    )
    # The planned conversation has taken place by the time the case is closed (closing cancels,
    # and deletes, conversations still to come).
    Appointment.objects.filter(case=case).update(starts=timezone.now() - timedelta(hours=1))
    ok(counsellor.post(reverse("service:case_close", args=[case.pk]), {"outcome": "referred"}))
    ok(
        seeker.post(
            reverse("service:feedback", args=[token]),
            {
                "helpfulness": "4",
                "would_recommend": "yes",
                "comment": canaries.text("feedback_comment"),
            },
        )
    )
    for other in Case.objects.exclude(pk=case.pk):
        ok(
            coordinator.post(
                reverse("service:case_withdraw", args=[other.pk]),
                {"reason": canaries.text(f"withdraw_reason_{other.pk}")},
            )
        )
    ok(
        counsellor.post(
            reverse("service:my_profile"),
            {
                "languages": ["nb"],
                "capacity": 3,
                "active": "on",
                "conflict_people": canaries.text("counsellor_conflict_people"),
            },
        )
    )
    run_queued_tasks()
    assert {to for m in mail.outbox for to in m.to} == {
        canaries.by_field["seeker_contact_email"],
        "ingrid@example.invalid",
    }, "the seeker and the counsellor were told by e-mail"

    check_stored_nowhere_in_clear(canaries, caplog)
    ciphertexts = ciphertexts_of(canaries)
    assert len(ciphertexts.by_field) >= len(canaries.by_field) - 1

    # The seeker deletes their data; retention takes the withdrawn requests.
    ok(seeker.post(reverse("service:status_delete", args=[token]), {"confirm": "on"}))
    assert Client().get(reverse("service:status", args=[caller_token])).status_code == 200
    later = timezone.now() + timedelta(days=settings.KOLLEGA_RETENTION_DAYS + 1)
    assert run_retention(now=later) == 2
    assert not Case.objects.exists()
    # The counsellor's own conflicts list is theirs, not a case's: it stays, encrypted.
    check_gone(
        canaries,
        caplog,
        ciphertexts=ciphertexts,
        keep=frozenset({"counsellor_conflict_people"}),
    )


def wav_with_text(text: str) -> bytes:
    """A real WAV recording carrying `text` in a LIST/INFO comment chunk."""
    audio = tone_wav()
    comment = text.encode() + b"\x00"
    if len(comment) % 2:
        comment += b"\x00"
    info = b"INFO" + b"ICMT" + struct.pack("<I", len(comment)) + comment
    chunk = b"LIST" + struct.pack("<I", len(info)) + info
    body = audio[8:] + chunk
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_research_fields_never_rest_in_clear_and_go_with_withdrawal(
    studied: Studied, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Files other tests left behind (their rows were rolled back) are not this test's.
    left_before = (
        {p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()}
        if settings.MEDIA_ROOT.exists()
        else set()
    )
    canaries = Canaries()
    researcher = studied.owner.client()
    interview = studied.interview.pk
    recording = wav_with_text(canaries.text("recording_comment"))
    ok(
        researcher.post(
            reverse("research:recording_upload", args=[interview]),
            {"audio": SimpleUploadedFile("intervju.wav", recording, content_type="audio/wav")},
        )
    )
    said = canaries.text("imported_transcript")
    asked = canaries.text("imported_question")
    text = f"Intervjuer: {asked}\n\nP01: {said} Jeg ringte til slutt.\n"
    ok(
        researcher.post(
            reverse("research:transcript_import", args=[interview]),
            {"transcript_file": SimpleUploadedFile("intervju.txt", text.encode())},
        )
    )
    transcript = Transcript.objects.get(interview=interview)
    edited = canaries.text("edited_transcript")
    form: dict[str, Any] = {"version": transcript.version}
    for i, turn in enumerate(transcript.turns):
        form[f"speaker-{i}"] = turn["speaker"]
        form[f"text-{i}"] = (
            f"{turn['text']} {edited}" if i == len(transcript.turns) - 1 else turn["text"]
        )
    ok(researcher.post(reverse("research:transcript", args=[interview]), form))
    assert Recording.objects.filter(interview=interview).exists()
    # The recording is stored encrypted: its comment is not in the file.
    check_stored_nowhere_in_clear(_without(canaries, "recording_comment"), caplog)
    assert leaks(_only(canaries, "recording_comment"), stored_bytes()) == []
    ciphertexts = ciphertexts_of(canaries)
    assert len(ciphertexts.by_field) >= len(canaries.by_field) - 1

    ok(
        researcher.post(
            reverse("research:participant_withdraw", args=[studied.participant.pk]),
            {"confirm": "on"},
        )
    )
    assert not Recording.objects.exists()
    assert not Transcript.objects.exists()
    media = (
        [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file() and p not in left_before]
        if settings.MEDIA_ROOT.exists()
        else []
    )
    assert media == [], f"files left in storage: {media}"
    check_gone(canaries, caplog, ciphertexts=ciphertexts)


def _without(canaries: Canaries, field: str) -> Canaries:
    kept = Canaries()
    kept.by_field = {k: v for k, v in canaries if k != field}
    return kept


def _only(canaries: Canaries, field: str) -> Canaries:
    kept = Canaries()
    kept.by_field = {field: canaries.by_field[field]}
    return kept


def test_workbench_texts_never_rest_in_clear_and_withdrawal_takes_the_participants_words(
    studied: Studied, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    """The STC workbench: a de-identified transcript copied into an analysis, and the
    researchers' own texts typed through its pages (themes, a code group's description, a
    condensate, an analytic text, a category's description). Withdrawal takes the participant's
    words (the analysis's copy of the transcript, its units and quotes); the researchers' texts
    are theirs and stay, encrypted, flagged where they cited the participant."""
    settings.KOLLEGA_STC_EMBEDDER = "hashing"
    caplog.set_level(logging.DEBUG)
    canaries = Canaries()
    said = canaries.text("analysed_transcript")
    sentence = f"Jeg var sliten etter mange vakter og {said} hjalp meg."
    turns = [("interviewer", "Hva skjedde?"), ("participant", f"{sentence} Jeg ringte til slutt.")]
    add_transcript(studied.interview, turns, deidentified=timezone.now())
    researcher = studied.owner.client()

    ok(
        researcher.post(
            reverse("workbench:analyses"), {"study": studied.study.pk, "name": "Første analyse"}
        )
    )
    analysis = Analysis.objects.get(study=studied.study)
    a = analysis.pk
    ok(
        researcher.post(
            reverse("workbench:transcript_add", args=[a]), {"interview": studied.interview.pk}
        )
    )
    version = AnalysisTranscript.objects.get(analysis=analysis, current=True)
    ok(
        researcher.post(
            reverse("workbench:theme_add", args=[a]),
            {"label": canaries.text("theme_label"), "description": canaries.text("theme_notes")},
        )
    )
    ok(
        researcher.post(
            reverse("workbench:group_add", args=[a]),
            {"name": "Sliten", "description": canaries.text("code_group_description")},
        )
    )
    group = CodeGroup.objects.get(analysis=analysis, name="Sliten")
    start = version.text.index(sentence)
    ok(
        researcher.post(
            reverse("workbench:unit_create", args=[a, version.pk]),
            {"start": start, "end": start + len(sentence), "group": group.pk},
        )
    )
    unit = MeaningUnit.objects.get(transcript=version)
    condense = reverse("workbench:subgroup_add", args=[a, group.pk])
    ok(researcher.post(condense, {"name": "Trøtt", "units": [unit.pk]}))
    subgroup = Subgroup.objects.get(code_group=group)
    ok(
        researcher.post(
            reverse("workbench:condensate_save", args=[a, group.pk]),
            {
                "subgroup": subgroup.pk,
                "text": canaries.text("condensate"),
                "units": [unit.pk],
            },
        )
    )
    choose = reverse("workbench:quote_choose", args=[a, group.pk])
    ok(researcher.post(choose, {"subgroup": subgroup.pk, "unit": unit.pk}))
    condensate = Condensate.objects.get(subgroup=subgroup)
    quote = GoldenQuote.objects.get(subgroup=subgroup)
    ok(
        researcher.post(
            reverse("workbench:analytic_text_save", args=[a]),
            {
                "target": f"code_group-{group.pk}",
                "text": canaries.text("analytic_text"),
                "condensates": [condensate.pk],
                "quotes": [quote.pk],
            },
        )
    )
    ok(
        researcher.post(
            reverse("workbench:category_add", args=[a]),
            {
                "name": "Å nå ut",
                "description": canaries.text("category_description"),
                "groups": [group.pk],
            },
        )
    )
    # What the pages show and export is made on request, never stored.
    for name, fmt in (("report", "docx"), ("steps", "md"), ("results", "csv")):
        assert researcher.get(reverse("workbench:download", args=[a, name, fmt])).status_code == 200
    assert researcher.get(reverse("workbench:export_qdpx", args=[a])).status_code == 200
    run_queued_tasks()

    check_stored_nowhere_in_clear(canaries, caplog)
    ciphertexts = ciphertexts_of(canaries)
    assert {canary_of(name) for name, _ in ciphertexts} == set(canaries.by_field)
    # The participant's words rest twice: the study's transcript and the analysis's copy.
    assert {
        name.split(" @")[1] for name, _ in ciphertexts if canary_of(name) == "analysed_transcript"
    } >= {"research_transcript.turns_json", "workbench_analysistranscript.text"}

    ok(
        researcher.post(
            reverse("research:participant_withdraw", args=[studied.participant.pk]),
            {"confirm": "on"},
        )
    )
    assert not AnalysisTranscript.objects.exists()
    assert not MeaningUnit.objects.exists()
    assert not GoldenQuote.objects.exists()
    condensate.refresh_from_db()
    assert condensate.sources_withdrawn
    assert AnalyticText.objects.get(analysis=analysis).sources_withdrawn
    researchers_own = frozenset(canaries.by_field) - {"analysed_transcript"}
    check_gone(canaries, caplog, ciphertexts=ciphertexts, keep=researchers_own)
    still = decrypted_texts()
    assert all(canaries.by_field[name] in still for name in researchers_own)


def test_withdrawal_takes_the_participants_words_out_of_suggested_themes(
    studied: Studied, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    """The worker suggests themes from the transcripts' words (label and keywords); a word
    only the withdrawn participant said must go with their transcript."""
    settings.KOLLEGA_STC_EMBEDDER = "hashing"
    caplog.set_level(logging.DEBUG)
    canaries = Canaries()
    word = canaries.word("participants_word")
    said = f"Jeg var sliten etter mange vakter, {word} og {word} igjen."
    turns = [("interviewer", "Hva skjedde?"), ("participant", f"{said} Jeg ringte til slutt.")]
    add_transcript(studied.interview, turns, deidentified=timezone.now())
    analysis = workbench.do_create_analysis(studied.owner.user, studied.study, name="Analyse")
    workbench.do_add_transcript(studied.owner.user, analysis, studied.interview)
    researcher = studied.owner.client()
    ok(researcher.post(reverse("workbench:themes_suggest", args=[analysis.pk])))
    run_queued_tasks()
    suggested = Theme.objects.filter(analysis=analysis, state=ThemeState.SUGGESTED)
    assert any(word in f"{t.label} {t.description}" for t in suggested), "no theme holds it"
    check_stored_nowhere_in_clear(canaries, caplog)
    ciphertexts = ciphertexts_of(canaries)

    ok(
        researcher.post(
            reverse("research:participant_withdraw", args=[studied.participant.pk]),
            {"confirm": "on"},
        )
    )
    check_gone(canaries, caplog, ciphertexts=ciphertexts)


def test_a_seekers_way_into_research_and_out_again_leaves_nothing_in_clear(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    """A seeker agrees at intake to be invited, is invited through the study's pool and accepts
    on the status page; the interview's transcript is imported and a word the rules missed is
    marked by hand. Withdrawing from research on the status page takes the transcript and the
    marked words; deleting the request then takes the rest."""
    from kollega.research import actions as research
    from kollega.research.models import Finding, Participant
    from tests.research.pool import recruiting_study

    caplog.set_level(logging.DEBUG)
    canaries = Canaries()
    seeker = Client()
    token = submit_through_intake(
        seeker,
        canaries,
        "volunteer",
        contact_method="email",
        contact_email=canaries.email("volunteer_contact_email"),
        research_consent="on",
        gender="female",
        age_band="40_49",
        specialty="psychiatry",
    )
    case = Case.objects.by_token(token)
    assert case is not None and case.research_id is not None
    study = recruiting_study(cast.researcher)
    researcher = cast.researcher.client()
    ok(
        researcher.post(
            reverse("research:pool", args=[study.pk]),
            {"step": "invite", "chosen": [str(case.research_id)]},
        )
    )
    invitation = study.invitations.get()
    ok(
        seeker.post(
            reverse("service:status_research", args=[token, invitation.pk]), {"answer": "accept"}
        )
    )
    participant = Participant.objects.get(study=study)
    interview = research.do_create_interview(
        cast.researcher.user, participant, kind="first", scheduled_on=None, language="nb"
    )
    missed = canaries.word("missed_identifier")
    said = canaries.text("interview_words")
    text = f"Intervjuer: Hva skjedde?\n\nP01: {said} Jeg ringte {missed} til slutt.\n"
    ok(
        researcher.post(
            reverse("research:transcript_import", args=[interview.pk]),
            {"transcript_file": SimpleUploadedFile("intervju.txt", text.encode())},
        )
    )
    run_queued_tasks()  # the identifiers are proposed in the background
    ok(
        researcher.post(
            reverse("research:deidentify_add", args=[interview.pk]),
            {"missed_text": missed, "missed_kind": "place"},
        )
    )
    assert Finding.objects.filter(transcript__interview=interview, source="researcher").exists()
    run_queued_tasks()
    assert canaries.by_field["volunteer_contact_email"] in {to for m in mail.outbox for to in m.to}

    check_stored_nowhere_in_clear(canaries, caplog)
    ciphertexts = ciphertexts_of(canaries)

    ok(seeker.post(reverse("service:status_research_withdraw", args=[token]), {"confirm": "on"}))
    assert not Participant.objects.exists() and not Transcript.objects.exists()
    service_fields = frozenset(name for name, _ in canaries if name.startswith("volunteer_"))
    check_gone(canaries, caplog, ciphertexts=ciphertexts, keep=service_fields)

    ok(seeker.post(reverse("service:status_delete", args=[token]), {"confirm": "on"}))
    check_gone(canaries, caplog, ciphertexts=ciphertexts)


def test_the_coordinators_words_never_rest_in_clear_and_go_with_the_case(
    cast: Cast, caplog: pytest.LogCaptureFixture
) -> None:
    """A coordinator moves a case in progress to another counsellor, with a reason, and writes
    to the seeker; the seeker sees the message and that the case moved, never the reason."""
    from kollega.service import actions as service

    caplog.set_level(logging.DEBUG)
    canaries = Canaries()
    first = make_profile(cast.counsellor)
    second = make_profile(
        cast.other_counsellor, gender="male", region="vestland", employer="Helse Vest"
    )
    seeker = Client()
    token = submit_through_intake(
        seeker,
        canaries,
        "moved",
        contact_method="email",
        contact_email=canaries.email("moved_contact_email"),
    )
    case = Case.objects.by_token(token)
    assert case is not None
    service.do_assign_counsellor(cast.coordinator.user, case, first)
    service.do_accept_case(cast.counsellor.user, case)
    coordinator = cast.coordinator.client()
    reason = canaries.text("reassign_reason")
    ok(
        coordinator.post(
            reverse("service:case_reassign", args=[case.pk]),
            {"reassign-counsellor": second.pk, "reassign-reason": reason},
        )
    )
    case.refresh_from_db()
    assert case.counsellor == second
    written = canaries.text("coordinator_message")
    ok(coordinator.post(reverse("service:case_write", args=[case.pk]), {"write-body": written}))
    run_queued_tasks()
    page = seeker.get(reverse("service:status", args=[token])).content.decode()
    assert written in page and reason not in page

    check_stored_nowhere_in_clear(canaries, caplog)
    ciphertexts = ciphertexts_of(canaries)

    ok(seeker.post(reverse("service:status_delete", args=[token]), {"confirm": "on"}))
    assert not Case.objects.exists()
    check_gone(canaries, caplog, ciphertexts=ciphertexts)
