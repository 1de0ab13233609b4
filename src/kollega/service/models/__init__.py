"""The service's records: counsellors, requests (cases) and what happens in them.

Every free text, note, message and contact detail is an `EncryptedTextField`. A case and
everything hanging off it is deleted for real by retention or by the seeker; only an
anonymous `CaseStatistic` row stays. One module per subject; every model is imported here,
so that Django finds them all under the `service` app.
"""

from kollega.service.models.base import (
    MAX_SHORT_TEXT,
    MAX_TEXT,
    hash_token,
    new_reference,
    new_spoken_token,
)
from kollega.service.models.cases import (
    Appointment,
    Case,
    CaseQuerySet,
    Conversation,
    Feedback,
    Message,
    Referral,
    StatusChange,
    open_loads,
)
from kollega.service.models.concerns import (
    Concern,
    ConcernChange,
    ConcernQuerySet,
    ConcernStatistic,
)
from kollega.service.models.counsellors import CounsellorProfile, taking_new_cases
from kollega.service.models.offerings import Enrolment, Offering, ReferralPlace, with_positions
from kollega.service.models.running import CaseStatistic, ServiceSettings, WaitTally
from kollega.service.models.states import (
    ACTIVE_WORK_STATUSES,
    CONCERN_ENDED,
    CONCERN_OPEN_FOR_COUNSELLOR,
    CONCERN_TRANSITIONS,
    OPEN_COUNSELLOR_STATUSES,
    QUEUE_STATUSES,
    TERMINAL_STATUSES,
    TRANSITIONS,
    ConcernStatus,
    IllegalTransition,
    Status,
)

__all__ = [
    "ACTIVE_WORK_STATUSES",
    "CONCERN_ENDED",
    "CONCERN_OPEN_FOR_COUNSELLOR",
    "CONCERN_TRANSITIONS",
    "MAX_SHORT_TEXT",
    "MAX_TEXT",
    "OPEN_COUNSELLOR_STATUSES",
    "QUEUE_STATUSES",
    "TERMINAL_STATUSES",
    "TRANSITIONS",
    "Appointment",
    "Case",
    "CaseQuerySet",
    "CaseStatistic",
    "Concern",
    "ConcernChange",
    "ConcernQuerySet",
    "ConcernStatistic",
    "ConcernStatus",
    "Conversation",
    "CounsellorProfile",
    "Enrolment",
    "Feedback",
    "IllegalTransition",
    "Message",
    "Offering",
    "Referral",
    "ReferralPlace",
    "ServiceSettings",
    "Status",
    "StatusChange",
    "WaitTally",
    "hash_token",
    "new_reference",
    "new_spoken_token",
    "open_loads",
    "taking_new_cases",
    "with_positions",
]
