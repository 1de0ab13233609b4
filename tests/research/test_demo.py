"""The demo study loads once and shows every stage of a transcript's life."""

from __future__ import annotations

import io

import pytest

from kollega.accounts.demo import ensure_demo_users
from kollega.research import demo
from kollega.research.models import FindingDecision, Study


@pytest.mark.django_db
def test_the_demo_study_loads_once_with_every_stage() -> None:
    ensure_demo_users()
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    study = Study.objects.get()
    assert sorted(u.username for u in study.researchers.all()) == ["rune", "sara"]
    by_pseudonym = {p.pseudonym: p for p in study.participants.all()}
    assert sorted(by_pseudonym) == ["P01", "P02", "P03", "P04", "P05"]
    pending = by_pseudonym["P01"].interviews.get().transcript
    assert pending.deidentified is None
    assert pending.findings.filter(decision=FindingDecision.PROPOSED).count() >= 8
    done = by_pseudonym["P02"].interviews.get().transcript
    assert done.deidentified is not None
    assert "Kari Nygård" not in done.text and "[navn 1]" in done.text
    assert not hasattr(by_pseudonym["P03"].interviews.get(), "transcript")
    english = by_pseudonym["P05"].interviews.get().transcript
    assert {"person", "phone"} <= set(english.findings.values_list("kind", flat=True))


@pytest.mark.django_db
def test_the_demo_study_is_part_way_through_recruitment() -> None:
    from kollega.research.models import Exclusion, Invitation, InvitationStatus
    from kollega.service import demo as service_demo

    ensure_demo_users()
    service_demo.load(io.StringIO())
    demo.load(io.StringIO())
    study = Study.objects.get()
    assert study.waves.count() == 2 and study.current_consent is not None
    assert study.guide_topics.count() == 3
    statuses = list(study.invitations.values_list("status", flat=True))
    assert statuses.count(InvitationStatus.ACCEPTED) == 3
    assert InvitationStatus.PENDING in statuses and InvitationStatus.DECLINED in statuses
    recruited = study.participants.exclude(link=None)
    assert all(p.consent_version == "1.0" and p.contact_date for p in recruited)
    assert recruited.filter(interviews__wave__number=1).count() == 1
    assert Exclusion.objects.filter(participant__study=study).count() == 1
    assert Invitation.objects.count() == len(statuses)
