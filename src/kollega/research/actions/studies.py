"""Studies, their participants and their protocol (consent texts, guide, waves).

Audit details hold identifiers, counts and codes only — never transcript text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.audit import Actor, AuditAction, record
from kollega.core.batchdelete import delete_in_batches
from kollega.core.errors import ActionRefused
from kollega.research.models import ConsentVersion, GuideTopic, Participant, Study, Wave


@transaction.atomic
def do_create_study(
    actor: User,
    *,
    title: str,
    aims: str,
    language: str,
    waves: Iterable[tuple[str, int, int]] = (),
) -> Study:
    """Create a study with `actor` on it and, optionally, its waves as (name, opens, closes)."""
    study = Study.objects.create(title=title, aims=aims, language=language)
    study.researchers.add(actor)
    for number, (name, opens_day, closes_day) in enumerate(waves, start=1):
        Wave.objects.create(
            study=study, number=number, name=name, opens_day=opens_day, closes_day=closes_day
        )
    record(actor, AuditAction.RESEARCH_STUDY_CREATE, study, waves=study.waves.count())
    return study


@transaction.atomic
def do_update_study(
    actor: User, study: Study, *, title: str, aims: str, language: str, researchers: Iterable[Any]
) -> Study:
    chosen = {user.pk for user in researchers}
    if actor.pk not in chosen:
        raise ActionRefused(_("You cannot take yourself off the study."))
    study.title, study.aims, study.language = title, aims, language
    study.save()
    study.researchers.set(chosen)
    record(actor, AuditAction.RESEARCH_STUDY_UPDATE, study, researchers=sorted(chosen))
    return study


def do_delete_study(actor: Actor, study: Study) -> int:
    """Delete a study and everything in it (recording files too); returns how many rows went.

    Not one transaction: a study's transcripts, units and codes can be many thousand rows, and
    on SQLite one long deletion locks out every other writer. They go a batch per short
    transaction, deepest first (`kollega.core.batchdelete`); the audit row is written first, so
    a deletion that stops half way is on record, and deleting again finishes it.
    """
    with transaction.atomic():
        record(actor, AuditAction.RESEARCH_STUDY_DELETE, study)
    return delete_in_batches(study)


@transaction.atomic
def do_add_participant(
    actor: User,
    study: Study,
    *,
    pseudonym: str,
    imported: bool = False,
    attributes: dict[str, str] | None = None,
) -> Participant:
    """Add a participant; ``imported`` makes it a case of an imported project, kept out of
    recruitment, with the file's case variables as ``attributes``."""
    if study.participants.filter(pseudonym__iexact=pseudonym).exists():
        raise ActionRefused(_("This study already has a participant called %s.") % pseudonym)
    participant = Participant.objects.create(
        study=study, pseudonym=pseudonym, imported=imported, attributes=attributes or {}
    )
    record(actor, AuditAction.RESEARCH_PARTICIPANT_ADD, participant, study=study.pk)
    return participant


def next_pseudonym(study: Study) -> str:
    """P01, P02, ... the first free one."""
    taken = {p.upper() for p in study.participants.values_list("pseudonym", flat=True)}
    n = 1
    while f"P{n:02d}" in taken:
        n += 1
    return f"P{n:02d}"


@transaction.atomic
def do_update_protocol(
    actor: User,
    study: Study,
    *,
    research_questions: str,
    ethics_reference: str,
    target_sample: int | None,
    dimensions: list[str],
) -> Study:
    study.research_questions = research_questions
    study.ethics_reference = ethics_reference
    study.target_sample = target_sample
    study.dimensions = list(dimensions)
    study.save()
    record(actor, AuditAction.RESEARCH_PROTOCOL_UPDATE, study, dimensions=study.dimensions)
    return study


@transaction.atomic
def do_add_consent_version(actor: User, study: Study, *, version: str, text: str) -> ConsentVersion:
    """A new version of the consent text; invitations from now on show it."""
    if study.consent_versions.filter(version__iexact=version).exists():
        raise ActionRefused(_("This study already has a consent text version %s.") % version)
    consent = ConsentVersion.objects.create(study=study, version=version, text=text)
    record(actor, AuditAction.RESEARCH_CONSENT_ADD, consent, study=study.pk, version=version)
    return consent


@transaction.atomic
def do_add_guide_topic(actor: User, study: Study, *, topic: str, prompts: str) -> GuideTopic:
    last = study.guide_topics.order_by("-position").values_list("position", flat=True).first()
    item = GuideTopic.objects.create(
        study=study, position=(last or 0) + 1, topic=topic, prompts=prompts
    )
    record(actor, AuditAction.RESEARCH_GUIDE_ADD, item, study=study.pk)
    return item


@transaction.atomic
def do_move_guide_topic(actor: User, item: GuideTopic, *, up: bool) -> None:
    """Swap the topic with the one before (``up``) or after it in the guide."""
    topics = list(item.study.guide_topics.select_for_update().order_by("position", "pk"))
    index = next(i for i, t in enumerate(topics) if t.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(topics):
        raise ActionRefused(_("This topic cannot move further."))
    topics[index], topics[other] = topics[other], topics[index]
    for position, topic in enumerate(topics, start=1):
        if topic.position != position:
            topic.position = position
            topic.save(update_fields=["position"])
    record(actor, AuditAction.RESEARCH_GUIDE_MOVE, item, study=item.study_id, up=up)


@transaction.atomic
def do_remove_guide_topic(actor: User, item: GuideTopic) -> None:
    study_pk, item_pk = item.study_id, item.pk
    item.delete()
    record(
        actor,
        AuditAction.RESEARCH_GUIDE_REMOVE,
        object_type="research.guidetopic",
        object_id=item_pk,
        study=study_pk,
    )


@transaction.atomic
def do_add_wave(actor: User, study: Study, *, name: str, opens_day: int, closes_day: int) -> Wave:
    if closes_day < opens_day:
        raise ActionRefused(_("A window must close on or after the day it opens."))
    last = study.waves.order_by("-number").values_list("number", flat=True).first()
    wave = Wave.objects.create(
        study=study, number=(last or 0) + 1, name=name, opens_day=opens_day, closes_day=closes_day
    )
    record(
        actor,
        AuditAction.RESEARCH_WAVE_ADD,
        wave,
        study=study.pk,
        opens=opens_day,
        closes=closes_day,
    )
    return wave
