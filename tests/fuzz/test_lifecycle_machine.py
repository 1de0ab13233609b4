"""A model-based test of the case lifecycle: every role's actions in random order, through the
pages where a page exists (else the actions), with the service's promises checked after
every step.

The promises: no page answers with a server error; a conversation still planned belongs to a
case its planner still works on; the seeker's status page says what is true; each step that
changed a case left exactly one audit row of its own (a refused one none); the anonymous
statistics count exactly the deleted cases and no audit row links a statistic to its case; and
once a case is deleted, what its seeker typed is nowhere in the database, in clear or encrypted.

`make test` runs a few short runs; `make fuzz` (KOLLEGA_FUZZ=long) many more and longer.
"""

from __future__ import annotations

import datetime
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from hypothesis import Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from kollega.core import roles
from kollega.core.fields import EncryptedTextField
from kollega.core.models import AuditEvent
from kollega.service import actions
from kollega.service.adapters import match_case, proposals_for_seeker
from kollega.service.models import (
    ACTIVE_WORK_STATUSES,
    OPEN_COUNSELLOR_STATUSES,
    Appointment,
    Case,
    CaseStatistic,
    CounsellorProfile,
    ServiceSettings,
    Status,
)
from tests.cast import Cast, Member, make_cast, make_member
from tests.fuzz.conftest import FUZZ
from tests.service.conftest import make_profile

LONG = os.environ.get("KOLLEGA_FUZZ") == "long"
# The short run does not shrink a failure (that can take minutes): rerun it long to shrink.
MACHINE = hypothesis_settings(
    FUZZ,
    max_examples=FUZZ.max_examples if LONG else 10,
    stateful_step_count=60 if LONG else 30,
    phases=list(Phase) if LONG else [Phase.explicit, Phase.reuse, Phase.generate],
)
# Audit rows that record reading, not changing: a step may leave any number of them.
READING = {
    "service.request.view",
    "service.case.view",
    "service.my_cases.view",
    "service.queue.view",
}
# Rows an action writes besides its own, for what it set off.
SECONDARY = {"service.offering.promote", "service.case.assign"}
# The status page's note while a moved request is with its new counsellor.
MOVED_TEXT = "Your request moved to another counsellor on"
QUEUE = (Status.NEW, Status.DECLINED)
BACK_IN_QUEUE = "Your request is back in the queue; we are finding another counsellor."
OPEN = tuple(
    status for status in Status if status not in (Status.CLOSED, Status.CANCELLED, Status.WITHDRAWN)
)
# Requests alive at once in a run: enough for counsellors to fill up, few enough to act on each.
MOST_SEEKERS = 4
STATUS_LINK = re.compile(r"/request/status/([^/]+)/")


@dataclass
class Seeker:
    token: str
    case_id: int
    marker: str
    language: str
    # State tokens pages showed earlier: a second window still holds them.
    old_states: list[str] = field(default_factory=list)

    def case(self) -> Case | None:
        return Case.objects.filter(pk=self.case_id).first()


class Lifecycle(RuleBasedStateMachine):
    cast: Cast
    profiles: list[CounsellorProfile]

    def __init__(self) -> None:
        super().__init__()
        # Each run starts from the cast and its profiles; what it does is rolled back after.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        cache.clear()
        self.seekers: list[Seeker] = []
        self.deleted = 0
        self.counter = 0
        self.planned_by: dict[int, int] = {}
        self.statistics_before = CaseStatistic.objects.count()
        self.clients: dict[str, Client] = {}
        # The cases a step acted on: the status-page promise is checked for these.
        self.touched: set[int] = set()

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        translation.activate("en")

    # Helpers ---------------------------------------------------------------------------
    def client(self, member: Member) -> Client:
        if member.username not in self.clients:
            self.clients[member.username] = member.client()
        return self.clients[member.username]

    def member_for(self, profile: CounsellorProfile) -> Member:
        return next(m for m in (self.cast.counsellor, self.cast.other_counsellor, self.extra)
                    if m.user.pk == profile.user_id)  # fmt: skip

    def has(self, statuses: tuple[str, ...]) -> bool:
        ids = [s.case_id for s in self.seekers]
        return Case.objects.filter(pk__in=ids, status__in=statuses).exists()

    def live(self) -> list[tuple[Seeker, Case]]:
        found = [(s, s.case()) for s in self.seekers]
        return [(s, c) for s, c in found if c is not None]

    def pick(self, data: Any, statuses: tuple[str, ...]) -> tuple[Seeker, Case] | None:
        candidates = [(s, c) for s, c in self.live() if c.status in statuses]
        if not candidates:
            TALLY["(no case to act on)"] += 1
            return None
        # Cases with conversations still planned are where most can go wrong: favour them.
        now = timezone.now()
        planned = [(s, c) for s, c in candidates if c.appointments.filter(starts__gte=now)]
        if planned and data.draw(st.booleans()):
            candidates = planned
        picked: tuple[Seeker, Case] = data.draw(st.sampled_from(candidates))
        return picked

    def step(self, action: str, case: Case | None, do: Any) -> Any:
        """Run `do`, then check the step left one `action` audit row if it changed the case
        (none if it was refused) and nothing else but reading and what it set off."""
        before_id = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        if case is None:
            self.touched |= {s.case_id for s in self.seekers}
        else:
            self.touched.add(case.pk)
        before = (case.status, case.revision) if case is not None else None
        result = do()
        new = list(
            AuditEvent.objects.filter(pk__gt=before_id)
            .exclude(action__in=READING)
            .values_list("action", flat=True)
        )
        if case is not None:
            after = Case.objects.filter(pk=case.pk).values_list("status", "revision").first()
            changed = after is None or after != before
            TALLY[f"{action} {'done' if changed else 'refused'}"] += 1
            assert new.count(action) == (1 if changed else 0), (action, new)
        else:
            TALLY[f"{action} done"] += 1
            assert new.count(action) == 1, (action, new)
        assert set(new) <= {action, *SECONDARY}, new
        return result

    def ok(self, response: Any) -> Any:
        assert response.status_code < 500, response.status_code
        return response

    def post(self, member: Member, name: str, case: Case, data: dict[str, Any]) -> Any:
        return self.ok(self.client(member).post(reverse(name, args=[case.pk]), data))

    # Setting up ----------------------------------------------------------------------
    @initialize(
        kinds=st.lists(st.sampled_from(["anonymous", "named", "urgent"]), min_size=1, max_size=3),
        language=st.sampled_from(["nb", "en", "zh-hans"]),
    )
    def start(self, kinds: list[str], language: str) -> None:
        self.cast = CAST["cast"]
        self.profiles = CAST["profiles"]
        self.extra = CAST["extra"]
        for kind in kinds:
            self.intake(kind, language, "")

    # The seeker ------------------------------------------------------------------------
    @precondition(lambda self: len(self.seekers) < MOST_SEEKERS)
    @rule(
        kind=st.sampled_from(["anonymous", "named", "urgent"]),
        language=st.sampled_from(["nb", "en", "zh-hans"]),
        wish=st.sampled_from(["", "nb", "en"]),
    )
    def intake(self, kind: str, language: str, wish: str) -> None:
        self.counter += 1
        marker = f"MARKOR{self.counter}X{id(self) % 9973}"
        data = {
            "acute_risk": "yes" if kind == "urgent" else "no",
            "category": "coping",
            "description": f"Ord som bare jeg skriver {marker}",
            "pref_language": wish,
            "contact_method": "none",
        }
        if kind != "anonymous":
            data |= {
                "contact_method": "email",
                "contact_email": f"{marker.lower()}@example.invalid",
                "contact_name": f"Navn {marker}",
            }
        before = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        response = self.step(
            "service.request.submit",
            None,
            lambda: Client(HTTP_ACCEPT_LANGUAGE=language).post(reverse("service:intake"), data),
        )
        assert response.status_code == 302, response.status_code
        token = STATUS_LINK.search(response["Location"])
        assert token is not None
        case = Case.objects.get(pk__gt=before)
        assert case.language == language
        self.touched.add(case.pk)
        self.seekers.append(Seeker(token.group(1), case.pk, marker, language))

    @precondition(lambda self: self.has(ACTIVE_WORK_STATUSES))
    @rule(data=st.data())
    def seeker_writes(self, data: Any) -> None:
        picked = self.pick(data, (Status.ACCEPTED, Status.IN_CONVERSATION, Status.REFERRED))
        if picked is None:
            return
        seeker, _case = picked
        self.step(
            "service.message.send",
            None,
            lambda: self.ok(
                Client().post(
                    reverse("service:status_message", args=[seeker.token]),
                    {"body": f"Melding {seeker.marker}"},
                )
            ),
        )

    @precondition(lambda self: self.has(QUEUE))
    @rule(data=st.data())
    def seeker_chooses(self, data: Any) -> None:
        picked = self.pick(data, QUEUE)
        if picked is None:
            return
        seeker, case = picked
        service = ServiceSettings.current()
        service.seeker_choice = True
        service.save()
        choice = proposals_for_seeker(case)
        if case.urgent or not choice:
            return
        chosen = data.draw(st.sampled_from(choice))
        self.step(
            "service.case.assign",
            case,
            lambda: self.ok(
                Client().post(
                    reverse("service:status_choose", args=[seeker.token]),
                    {"counsellor": chosen.pk},
                )
            ),
        )

    @precondition(lambda self: self.has(OPEN))
    @rule(data=st.data())
    def seeker_cancels(self, data: Any) -> None:
        picked = self.pick(data, tuple(Status))
        if picked is None:
            return
        seeker, case = picked
        self.step(
            "service.request.cancel",
            case,
            lambda: self.ok(
                Client().post(
                    reverse("service:status_cancel", args=[seeker.token]), {"confirm": "on"}
                )
            ),
        )

    @precondition(lambda self: self.seekers)
    @rule(data=st.data())
    def seeker_deletes(self, data: Any) -> None:
        picked = self.pick(data, tuple(Status))
        if picked is None:
            return
        seeker, case = picked
        self.step(
            "service.case.delete_data",
            case,
            lambda: self.ok(
                Client().post(
                    reverse("service:status_delete", args=[seeker.token]), {"confirm": "on"}
                )
            ),
        )
        self.deleted += 1
        self.gone(seeker)

    # The coordinator -------------------------------------------------------------------
    @precondition(lambda self: self.has(QUEUE))
    @rule(data=st.data(), someone_else=st.booleans())
    def propose(self, data: Any, someone_else: bool) -> None:
        picked = self.pick(data, QUEUE)
        if picked is None:
            return
        seeker, case = picked
        proposals = match_case(case).proposals
        if not proposals:
            return
        sent: dict[str, Any] = {"counsellor": proposals[0].profile.pk}
        if someone_else and len(proposals) > 1:
            sent = {"counsellor": proposals[1].profile.pk, "override_reason": "Nærmere"}
        sent["state"] = case.state_token()
        seeker.old_states.append(case.state_token())
        self.step(
            "service.case.assign",
            case,
            lambda: self.post(self.cast.coordinator, "service:case_assign", case, sent),
        )

    @precondition(lambda self: self.has(OPEN_COUNSELLOR_STATUSES))
    @rule(data=st.data())
    def move(self, data: Any) -> None:
        picked = self.pick(data, OPEN_COUNSELLOR_STATUSES)
        if picked is None:
            return
        seeker, case = picked
        others = match_case(case).others_than(case.counsellor_id)
        if not others:
            return
        target = data.draw(st.sampled_from(others)).profile
        seeker.old_states.append(case.state_token())
        self.step(
            "service.case.reassign",
            case,
            lambda: self.post(
                self.cast.coordinator,
                "service:case_reassign",
                case,
                {
                    "reassign-counsellor": target.pk,
                    "reassign-reason": "Flytter",
                    "reassign-state": case.state_token(),
                },
            ),
        )

    @precondition(lambda self: self.has(OPEN))
    @rule(data=st.data())
    def withdraw(self, data: Any) -> None:
        picked = self.pick(data, tuple(Status))
        if picked is None:
            return
        _seeker, case = picked
        self.step(
            "service.case.withdraw",
            case,
            lambda: self.post(
                self.cast.coordinator,
                "service:case_withdraw",
                case,
                {"reason": "Dobbel", "state": case.state_token()},
            ),
        )

    @precondition(lambda self: self.has(QUEUE))
    @rule()
    def auto_assign(self) -> None:
        self.step("service.queue.auto_assign", None, lambda: actions.do_auto_assign())

    @precondition(lambda self: self.seekers)
    @rule(days=st.none() | st.integers(min_value=0, max_value=3), which=st.integers(0, 2))
    def away(self, days: int | None, which: int) -> None:
        """A counsellor sets (or clears) the last day they are away, on their own page."""
        profile = self.profiles[which]
        away = "" if days is None else (timezone.localdate() + datetime.timedelta(days=days))
        data = {
            "languages": ["nb", "en"],
            "capacity": "3",
            "active": "on",
            "away_until": str(away),
            "remote": "on",
        }
        member = self.member_for(profile)
        response = self.step(
            "service.counsellor.change",
            None,
            lambda: self.ok(self.client(member).post(reverse("service:my_profile"), data)),
        )
        assert response.status_code == 302, response.status_code

    @precondition(lambda self: self.seekers)
    @rule(later=st.integers(min_value=0, max_value=400))
    def retention(self, later: int) -> None:
        ended = {
            s.case_id
            for s, c in self.live()
            if c.ended_at is not None and c.retention_due() < timezone.now() + datetime.timedelta(days=later)
        }  # fmt: skip
        count = actions.run_retention(now=timezone.now() + datetime.timedelta(days=later))
        assert count == len(ended)
        self.deleted += count
        for seeker in [s for s in self.seekers if s.case_id in ended]:
            self.gone(seeker)

    # The counsellor --------------------------------------------------------------------
    def counsellor_post(
        self, data: Any, statuses: tuple[str, ...], action: str, name: str, form: dict[str, Any]
    ) -> None:
        TALLY[f"try {action}"] += 1
        picked = self.pick(data, statuses)
        if picked is None:
            return
        seeker, case = picked
        if case.counsellor is None:
            return
        member = self.member_for(case.counsellor)
        seeker.old_states.append(case.state_token())
        self.step(
            action,
            case,
            lambda: self.post(member, name, case, {**form, "state": case.state_token()}),
        )

    @precondition(lambda self: self.has((Status.PROPOSED,)))
    @rule(data=st.data())
    def accept(self, data: Any) -> None:
        self.counsellor_post(
            data, (Status.PROPOSED,), "service.case.accept", "service:case_accept", {}
        )

    @precondition(lambda self: self.has((Status.PROPOSED,)))
    @rule(data=st.data())
    def decline(self, data: Any) -> None:
        self.counsellor_post(
            data, (Status.PROPOSED,), "service.case.decline", "service:case_decline",
            {"reason": "no_capacity"},
        )  # fmt: skip

    @precondition(lambda self: self.has(ACTIVE_WORK_STATUSES))
    @rule(data=st.data())
    def hand_back(self, data: Any) -> None:
        self.counsellor_post(
            data, ACTIVE_WORK_STATUSES, "service.case.hand_back", "service:case_hand_back",
            {"reason": "conflict"},
        )  # fmt: skip

    @precondition(lambda self: self.has(ACTIVE_WORK_STATUSES))
    @rule(data=st.data(), days=st.integers(min_value=1, max_value=20))
    def plan_conversation(self, data: Any, days: int) -> None:
        picked = self.pick(data, ACTIVE_WORK_STATUSES)
        if picked is None:
            return
        _seeker, case = picked
        starts = timezone.localtime() + datetime.timedelta(days=days)
        before = set(Appointment.objects.values_list("pk", flat=True))
        self.counsellor_post(
            _Fixed(picked), ACTIVE_WORK_STATUSES, "service.appointment.plan",
            "service:case_appointment",
            {"starts": starts.strftime("%Y-%m-%dT%H:%M"), "minutes": "45", "mode": "phone"},
        )  # fmt: skip
        for pk in set(Appointment.objects.values_list("pk", flat=True)) - before:
            self.planned_by[pk] = case.counsellor_id or 0

    @precondition(lambda self: self.has(ACTIVE_WORK_STATUSES))
    @rule(data=st.data())
    def cancel_planned(self, data: Any) -> None:
        future = Appointment.objects.filter(
            starts__gte=timezone.now(), case_id__in=[s.case_id for s in self.seekers]
        )
        if not future.exists():
            return
        appointment = data.draw(st.sampled_from(list(future.select_related("case"))))
        case = appointment.case
        assert case.counsellor is not None
        member = self.member_for(case.counsellor)
        self.step(
            "service.appointment.cancel",
            case,
            lambda: self.ok(
                self.client(member).post(
                    reverse("service:case_appointment_cancel", args=[case.pk, appointment.pk]),
                    {"state": case.state_token()},
                )
            ),
        )

    @precondition(lambda self: self.has(ACTIVE_WORK_STATUSES))
    @rule(data=st.data(), early=st.booleans())
    def log_conversation(self, data: Any, early: bool) -> None:
        # Sometimes dated before the request arrived: refused with a message, nothing logged.
        held = timezone.localdate() - datetime.timedelta(days=30 if early else 0)
        self.counsellor_post(
            data, ACTIVE_WORK_STATUSES, "service.conversation.log", "service:case_conversation",
            {"held_on": held.isoformat(), "mode": "video", "minutes": "40", "note": "Notat"},
        )  # fmt: skip

    @precondition(lambda self: self.has(ACTIVE_WORK_STATUSES))
    @rule(data=st.data())
    def refer(self, data: Any) -> None:
        self.counsellor_post(
            data, ACTIVE_WORK_STATUSES, "service.referral.record", "service:case_referral",
            {"kind": "gp", "consent": "on", "for_seeker": "Fastlegen"},
        )  # fmt: skip

    @precondition(lambda self: self.has(ACTIVE_WORK_STATUSES))
    @rule(data=st.data())
    def close(self, data: Any) -> None:
        self.counsellor_post(
            data, ACTIVE_WORK_STATUSES, "service.case.close", "service:case_close",
            {"outcome": "helped", "places": "keep"},
        )  # fmt: skip

    @precondition(lambda self: self.has(OPEN_COUNSELLOR_STATUSES))
    @rule(data=st.data())
    def stale_window(self, data: Any) -> None:
        """A form from an older page of the case (a second window): refused, nothing changes."""
        candidates = [(s, c) for s, c in self.live() if s.old_states and c.counsellor_id]
        if not candidates:
            return
        seeker, case = data.draw(st.sampled_from(candidates))
        old = data.draw(st.sampled_from(seeker.old_states))
        if old == case.state_token():
            return
        assert case.counsellor is not None
        member = self.member_for(case.counsellor)
        before = (case.status, case.revision, case.conversations.count())
        self.step(
            "service.conversation.log",
            case,
            lambda: self.post(
                member,
                "service:case_conversation",
                case,
                {"held_on": timezone.localdate().isoformat(), "mode": "video", "minutes": "30",
                 "state": old},
            ),
        )  # fmt: skip
        case.refresh_from_db()
        assert (case.status, case.revision, case.conversations.count()) == before

    # Promises --------------------------------------------------------------------------
    def gone(self, seeker: Seeker) -> None:
        """After deletion the seeker's words are nowhere in the database, in clear or not."""
        assert seeker.case() is None
        for table in connection.introspection.table_names():
            with connection.cursor() as cursor:
                columns = [
                    c.name
                    for c in connection.introspection.get_table_description(cursor, table)
                    if connection.introspection.get_field_type(c.type_code, c)
                    in ("CharField", "TextField", "JSONField")
                ]
                for column in columns:
                    cursor.execute(
                        # As text: PostgreSQL has no LIKE for its jsonb columns.
                        f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE %s',  # noqa: S608
                        [f"%{seeker.marker}%"],
                    )
                    assert cursor.fetchone()[0] == 0, (table, column)
        for model in apps.get_models():
            encrypted = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            rows = model._default_manager.values_list(*encrypted) if encrypted else []
            for values in rows:
                assert not any(seeker.marker in (v or "") for v in values), model
        self.seekers.remove(seeker)

    @invariant()
    def appointments_belong_to_their_counsellor(self) -> None:
        now = timezone.now()
        for appointment in Appointment.objects.filter(starts__gte=now).select_related("case"):
            assert appointment.case.status in ACTIVE_WORK_STATUSES, appointment.case.status
            assert self.planned_by.get(appointment.pk) == appointment.case.counsellor_id

    @invariant()
    def statistics_count_the_deleted(self) -> None:
        assert CaseStatistic.objects.count() - self.statistics_before == self.deleted
        linked = AuditEvent.objects.filter(details__has_key="statistic")
        assert not linked.exists(), "an audit row links a statistic to its case"

    @invariant()
    def status_pages_say_what_is_true(self) -> None:
        touched, self.touched = self.touched, set()
        for seeker, case in self.live():
            if seeker.case_id not in touched:
                continue
            response = Client(HTTP_ACCEPT_LANGUAGE="en").get(
                reverse("service:status", args=[seeker.token])
            )
            assert response.status_code == 200
            page = response.content.decode()
            with translation.override("en"):
                assert str(case.get_status_display()) in page
            if case.in_queue or not case.is_open:
                assert MOVED_TEXT not in page
            last = case.messages.filter(sender="service").order_by("-created", "-pk").first()
            if case.in_queue and case.accepted_at is not None:
                # The seeker had a counsellor: the service's last word says it is queued again.
                assert last is not None
                with translation.override(case.seeker_language()):
                    assert str(_(BACK_IN_QUEUE)) in last.body, last.body
            planned = case.appointments.count()
            assert page.count("/calendar/appointment/") == planned
            if planned:
                assert case.status in ACTIVE_WORK_STATUSES


class _Fixed:
    """A `data` whose one draw is already made (to reuse `counsellor_post` with a pick)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def draw(self, _strategy: Any) -> Any:
        return self.value


CAST: dict[str, Any] = {}
# How often each action went through or was refused, printed with -s (to see the machine reach
# every corner).
TALLY: Counter[str] = Counter()


@pytest.mark.django_db(transaction=False)
@override_settings(KOLLEGA_INTAKE_PER_HOUR=0)
def test_the_case_lifecycle_keeps_its_promises_whatever_the_order() -> None:
    cast = make_cast()
    third = make_member("marit", roles.COUNSELLOR, first_name="Marit")
    CAST.update(
        cast=cast,
        extra=third,
        profiles=[
            make_profile(cast.counsellor),
            make_profile(cast.other_counsellor, gender="male", region="vestland",
                         employer="Helse Vestkyst HF"),
            make_profile(third, region="nordland", employer="Nordlandssykehuset"),
        ],
    )  # fmt: skip
    run_state_machine_as_test(Lifecycle, settings=MACHINE)
    print("\n".join(f"{count:6d} {what}" for what, count in sorted(TALLY.items())))
