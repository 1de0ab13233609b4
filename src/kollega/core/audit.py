"""The one way to write an audit row, and the names of who acts and what they do.

`record()` takes an `Actor` and an `AuditAction`. `AuditAction` is a `StrEnum`: each member equals
its string (``AuditAction.SERVICE_CASE_ACCEPT == "service.case.accept"``), so the stored rows, the
admin's search and every query by action name are unchanged; the enumeration only makes the
names a closed vocabulary that a type checker can hold the callers to.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

from django.db import models

from kollega.core.models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# The actors without an account, stored as the audit row's `actor_label`.
SEEKER: Final = "seeker"
"""The help-seeking doctor, who has no account (their reference code and secret link only)."""
SYSTEM: Final = "system"
"""Kollega itself: scheduled jobs, the task worker, retention, commands run by an operator."""
CONCERN_SENDER: Final = "concern sender"
"""A relative or colleague who raised a concern about a doctor through the public form."""
DEMO: Final = "demo"
"""The synthetic demo data loaded by `kollega demo`."""

NamedActor: TypeAlias = Literal["seeker", "system", "concern sender", "demo"]
"""One of the actors without an account: `SEEKER`, `SYSTEM`, `CONCERN_SENDER` or `DEMO`."""

Actor: TypeAlias = "AbstractBaseUser | AnonymousUser | NamedActor | None"
"""Who does something: a staff user (signed in or not), a named actor, or None (unknown).

An anonymous or unsaved user and None are recorded as "anonymous"."""


class AuditAction(enum.StrEnum):
    """Every action name written to the audit log, as ``<app>.<object>.<verb>``."""

    # Staff accounts and sign-in (kollega.accounts).
    ACCOUNTS_ADD_STAFF = "accounts.add_staff"
    ACCOUNTS_CHANGE_STAFF = "accounts.change_staff"
    ACCOUNTS_CREATE_STAFF = "accounts.create_staff"
    ACCOUNTS_DEACTIVATE = "accounts.deactivate"
    ACCOUNTS_ENROL = "accounts.enrol"
    ACCOUNTS_LOGIN = "accounts.login"
    ACCOUNTS_LOGOUT = "accounts.logout"
    ACCOUNTS_LOGOUT_EVERYWHERE = "accounts.logout_everywhere"
    ACCOUNTS_REACTIVATE = "accounts.reactivate"
    ACCOUNTS_RESET_SIGN_IN = "accounts.reset_sign_in"
    ACCOUNTS_SET_STUDY_RESEARCHERS = "accounts.set_study_researchers"
    # The støttekollega way: listings, registrations, settlements (kollega.peers).
    PEERS_LISTING_APPROVE = "peers.listing.approve"
    PEERS_LISTING_SAVE = "peers.listing.save"
    PEERS_REGISTRATION_ADD = "peers.registration.add"
    PEERS_REGISTRATION_CHANGE = "peers.registration.change"
    PEERS_REGISTRATION_DELETE = "peers.registration.delete"
    PEERS_SETTLEMENT_APPROVE = "peers.settlement.approve"
    PEERS_SETTLEMENT_DELETE = "peers.settlement.delete"
    PEERS_SETTLEMENT_EXPORT = "peers.settlement.export"
    PEERS_STATISTICS_VIEW = "peers.statistics.view"
    # Statistics and exports (kollega.reports).
    REPORTS_ANNUAL_EXPORT = "reports.annual.export"
    REPORTS_STATISTICS_EXPORT = "reports.statistics.export"
    REPORTS_STATISTICS_VIEW = "reports.statistics.view"
    # Studies, participants, interviews, transcripts (kollega.research).
    RESEARCH_CONSENT_ADD = "research.consent.add"
    RESEARCH_DEID_ADD = "research.deid.add"
    RESEARCH_DEID_APPLY = "research.deid.apply"
    RESEARCH_DEID_DECIDE = "research.deid.decide"
    RESEARCH_DEID_PROPOSALS_CANCELLED = "research.deid.proposals.cancelled"
    RESEARCH_DEID_PROPOSALS_FAILED = "research.deid.proposals.failed"
    RESEARCH_DEID_PROPOSE = "research.deid.propose"
    RESEARCH_DEID_PROPOSED = "research.deid.proposed"
    RESEARCH_DEID_VIEW = "research.deid.view"
    RESEARCH_GUIDE_ADD = "research.guide.add"
    RESEARCH_GUIDE_MOVE = "research.guide.move"
    RESEARCH_GUIDE_REMOVE = "research.guide.remove"
    RESEARCH_INTERVIEW_CREATE = "research.interview.create"
    RESEARCH_INTERVIEW_UPDATE = "research.interview.update"
    RESEARCH_INVITATION_ACCEPT = "research.invitation.accept"
    RESEARCH_INVITATION_DECLINE = "research.invitation.decline"
    RESEARCH_INVITATION_SEND = "research.invitation.send"
    RESEARCH_PARTICIPANT_ADD = "research.participant.add"
    RESEARCH_PARTICIPANT_EXCLUDE = "research.participant.exclude"
    RESEARCH_PARTICIPANT_WITHDRAW = "research.participant.withdraw"
    RESEARCH_POOL_VIEW = "research.pool.view"
    RESEARCH_PROTOCOL_UPDATE = "research.protocol.update"
    RESEARCH_RECORDING_DELETE = "research.recording.delete"
    RESEARCH_RECORDING_LISTEN = "research.recording.listen"
    RESEARCH_RECORDING_UPLOAD = "research.recording.upload"
    RESEARCH_STUDY_CREATE = "research.study.create"
    RESEARCH_STUDY_DELETE = "research.study.delete"
    RESEARCH_STUDY_UPDATE = "research.study.update"
    RESEARCH_TRANSCRIPT_DOWNLOAD = "research.transcript.download"
    RESEARCH_TRANSCRIPT_EDIT = "research.transcript.edit"
    RESEARCH_TRANSCRIPT_IMPORT = "research.transcript.import"
    RESEARCH_TRANSCRIPT_VIEW = "research.transcript.view"
    RESEARCH_TRANSCRIPTION_CANCEL = "research.transcription.cancel"
    RESEARCH_TRANSCRIPTION_CANCELLED = "research.transcription.cancelled"
    RESEARCH_TRANSCRIPTION_DONE = "research.transcription.done"
    RESEARCH_TRANSCRIPTION_FAILED = "research.transcription.failed"
    RESEARCH_TRANSCRIPTION_RESUME = "research.transcription.resume"
    RESEARCH_TRANSCRIPTION_START = "research.transcription.start"
    RESEARCH_WAVE_ADD = "research.wave.add"
    RESEARCH_WINDOW_NOTICE = "research.window.notice"
    # The peer-support service: requests, cases, concerns (kollega.service).
    SERVICE_APPOINTMENT_CANCEL = "service.appointment.cancel"
    SERVICE_APPOINTMENT_PLAN = "service.appointment.plan"
    SERVICE_CASE_ACCEPT = "service.case.accept"
    SERVICE_CASE_ACKNOWLEDGE = "service.case.acknowledge"
    SERVICE_CASE_ASSIGN = "service.case.assign"
    SERVICE_CASE_CLOSE = "service.case.close"
    SERVICE_CASE_DECLINE = "service.case.decline"
    SERVICE_CASE_DELETE_DATA = "service.case.delete_data"
    SERVICE_CASE_GRANT_CONVERSATIONS = "service.case.grant_conversations"
    SERVICE_CASE_HAND_BACK = "service.case.hand_back"
    SERVICE_CASE_REASSIGN = "service.case.reassign"
    SERVICE_CASE_VIEW = "service.case.view"
    SERVICE_CASE_WITHDRAW = "service.case.withdraw"
    SERVICE_CONCERN_ASSIGN = "service.concern.assign"
    SERVICE_CONCERN_CONCLUDE = "service.concern.conclude"
    SERVICE_CONCERN_DECLINE = "service.concern.decline"
    SERVICE_CONCERN_DELETE_DATA = "service.concern.delete_data"
    SERVICE_CONCERN_RAISE = "service.concern.raise"
    SERVICE_CONCERN_TAKE_UP = "service.concern.take_up"
    SERVICE_CONCERN_VIEW = "service.concern.view"
    SERVICE_CONCERN_WITHDRAW = "service.concern.withdraw"
    SERVICE_CONVERSATION_LOG = "service.conversation.log"
    SERVICE_COUNSELLOR_CHANGE = "service.counsellor.change"
    SERVICE_COUNSELLOR_CREATE = "service.counsellor.create"
    SERVICE_DIRECTORY_CHANGE = "service.directory.change"
    SERVICE_DIRECTORY_CREATE = "service.directory.create"
    SERVICE_DIRECTORY_DELETE = "service.directory.delete"
    SERVICE_FEEDBACK_SUBMIT = "service.feedback.submit"
    SERVICE_FEEDBACK_VIEW = "service.feedback.view"
    SERVICE_MESSAGE_COORDINATOR = "service.message.coordinator"
    SERVICE_MESSAGE_SEND = "service.message.send"
    SERVICE_MY_CASES_VIEW = "service.my_cases.view"
    SERVICE_OFFERING_CHANGE = "service.offering.change"
    SERVICE_OFFERING_CREATE = "service.offering.create"
    SERVICE_OFFERING_ENROL = "service.offering.enrol"
    SERVICE_OFFERING_PROMOTE = "service.offering.promote"
    SERVICE_OFFERING_REMOVE = "service.offering.remove"
    SERVICE_QUEUE_AUTO_ASSIGN = "service.queue.auto_assign"
    SERVICE_QUEUE_VIEW = "service.queue.view"
    SERVICE_REFERRAL_RECORD = "service.referral.record"
    SERVICE_REQUEST_CANCEL = "service.request.cancel"
    SERVICE_REQUEST_PHONE_LINK = "service.request.phone_link"
    SERVICE_REQUEST_SUBMIT = "service.request.submit"
    SERVICE_REQUEST_VIEW = "service.request.view"
    SERVICE_RESEARCH_CONSENT_WITHDRAW = "service.research_consent.withdraw"
    SERVICE_SETTINGS_CHANGE = "service.settings.change"
    SERVICE_URGENT_ESCALATE = "service.urgent.escalate"
    # The STC workbench (kollega.workbench).
    WORKBENCH_ANALYSIS_CREATE = "workbench.analysis.create"
    WORKBENCH_ANALYSIS_IMPORT_QDPX = "workbench.analysis.import_qdpx"
    WORKBENCH_ANALYSIS_VIEW = "workbench.analysis.view"
    WORKBENCH_ANALYTIC_TEXT_ADD = "workbench.analytic_text.add"
    WORKBENCH_ANALYTIC_TEXT_DELETE = "workbench.analytic_text.delete"
    WORKBENCH_ANALYTIC_TEXT_EDIT = "workbench.analytic_text.edit"
    WORKBENCH_CASE_LINK = "workbench.case.link"
    WORKBENCH_CATEGORY_ADD = "workbench.category.add"
    WORKBENCH_CATEGORY_DELETE = "workbench.category.delete"
    WORKBENCH_CATEGORY_EDIT = "workbench.category.edit"
    WORKBENCH_CHECK_RUN = "workbench.check.run"
    WORKBENCH_CODE_GROUP_ADD = "workbench.code_group.add"
    WORKBENCH_CODE_GROUP_COLOUR = "workbench.code_group.colour"
    WORKBENCH_CODE_GROUP_DELETE = "workbench.code_group.delete"
    WORKBENCH_CODE_GROUP_EDIT = "workbench.code_group.edit"
    WORKBENCH_CODE_GROUP_MERGE = "workbench.code_group.merge"
    WORKBENCH_CODE_GROUP_MOVE = "workbench.code_group.move"
    WORKBENCH_CODE_GROUP_REORDER = "workbench.code_group.reorder"
    WORKBENCH_CODEBOOK_IMPORT = "workbench.codebook.import"
    WORKBENCH_CODE_SUGGEST = "workbench.code.suggest"
    WORKBENCH_CODING_COMPARE = "workbench.coding.compare"
    WORKBENCH_CODING_ROUND_CLOSE = "workbench.coding.round_close"
    WORKBENCH_CODING_SETTLE = "workbench.coding.settle"
    WORKBENCH_CODING_VIEW_COMPARISON = "workbench.coding.view_comparison"
    WORKBENCH_CONDENSATE_ADD = "workbench.condensate.add"
    WORKBENCH_CONDENSATE_DELETE = "workbench.condensate.delete"
    WORKBENCH_CONDENSATE_EDIT = "workbench.condensate.edit"
    WORKBENCH_CONDENSATION_VIEW = "workbench.condensation.view"
    WORKBENCH_MATRIX_VIEW = "workbench.matrix.view"
    WORKBENCH_MEMO_ADD = "workbench.memo.add"
    WORKBENCH_MEMO_DELETE = "workbench.memo.delete"
    WORKBENCH_MEMO_EDIT = "workbench.memo.edit"
    WORKBENCH_MEMO_LIST = "workbench.memo.list"
    WORKBENCH_QUOTE_CHOOSE = "workbench.quote.choose"
    WORKBENCH_QUOTE_PLACE = "workbench.quote.place"
    WORKBENCH_QUOTE_REMOVE = "workbench.quote.remove"
    WORKBENCH_RESULTS_DOWNLOAD = "workbench.results.download"
    WORKBENCH_RESULTS_VIEW = "workbench.results.view"
    WORKBENCH_RETRIEVAL_DOWNLOAD = "workbench.retrieval.download"
    WORKBENCH_RETRIEVAL_VIEW = "workbench.retrieval.view"
    WORKBENCH_SEARCH = "workbench.search"
    WORKBENCH_SEARCH_UNITS = "workbench.search.units"
    WORKBENCH_SOURCES_WITHDRAWN = "workbench.sources.withdrawn"
    WORKBENCH_SUBGROUP_ACCEPT_SUGGESTED = "workbench.subgroup.accept_suggested"
    WORKBENCH_SUBGROUP_ADD = "workbench.subgroup.add"
    WORKBENCH_SUBGROUP_DELETE = "workbench.subgroup.delete"
    WORKBENCH_SUBGROUP_EDIT = "workbench.subgroup.edit"
    WORKBENCH_SUGGESTION_DECIDE = "workbench.suggestion.decide"
    WORKBENCH_SYNTHESIS_VIEW = "workbench.synthesis.view"
    WORKBENCH_THEME_ADD = "workbench.theme.add"
    WORKBENCH_THEME_DECIDE = "workbench.theme.decide"
    WORKBENCH_THEME_DELETE = "workbench.theme.delete"
    WORKBENCH_THEME_EDIT = "workbench.theme.edit"
    WORKBENCH_THEME_SHARE = "workbench.theme.share"
    WORKBENCH_THEME_SUGGEST = "workbench.theme.suggest"
    WORKBENCH_TRANSCRIPT_ADD = "workbench.transcript.add"
    WORKBENCH_TRANSCRIPT_VERSION = "workbench.transcript.version"
    WORKBENCH_TRANSCRIPT_VIEW = "workbench.transcript.view"
    WORKBENCH_TYPOLOGY_SAVE = "workbench.typology.save"
    WORKBENCH_UNIT_ALSO_CODE = "workbench.unit.also_code"
    WORKBENCH_UNIT_ALSO_UNCODE = "workbench.unit.also_uncode"
    WORKBENCH_UNIT_CODE = "workbench.unit.code"
    WORKBENCH_UNIT_CREATE = "workbench.unit.create"
    WORKBENCH_UNIT_DELETE = "workbench.unit.delete"
    WORKBENCH_UNIT_PLACE = "workbench.unit.place"
    WORKBENCH_UNIT_UNCODE = "workbench.unit.uncode"
    WORKBENCH_UNDO = "workbench.undo"


def record(
    actor: Actor,
    action: AuditAction,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str | int = "",
    **details: Any,
) -> AuditEvent:
    """Record that `actor` did `action` to `obj`.

    `actor` is a user, None, or a named actor without an account (see `NamedActor`).
    `details` must be JSON-serialisable and hold no personal free text.
    """
    # Any: the project's user model (the AuditEvent.actor foreign key) lives above core.
    user: Any = None
    label = "anonymous"
    if isinstance(actor, str):
        label = actor
    elif actor is not None and getattr(actor, "pk", None) and actor.is_authenticated:
        user = actor
        label = actor.get_username()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        details=details,
    )
