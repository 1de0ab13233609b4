"""Every change to the service's records: one transaction and one audit event each.

Views, commands and tasks call these; nothing else saves a case. Audit details hold codes
and identifiers only, never what a person typed. One module per subject: a request's life
(`cases`), who gets it (`assignment`), the work on it (`conversations`), counselling days and
courses (`offerings`), the service's registers (`organisation`), deleting (`retention`),
concerns (`concerns`); what they share is in `base`.
"""

from kollega.service.actions.assignment import (
    assign_waiting,
    do_acknowledge_urgent,
    do_assign_counsellor,
    do_auto_assign,
    do_choose_counsellor,
    do_reassign_case,
    escalate_urgent,
)
from kollega.service.actions.base import (
    RESEARCH_CONSENT_VERSION,
    SEEKER,
    SYSTEM,
    Closed,
    planned_after,
    seeker_language,
)
from kollega.service.actions.cases import (
    Submitted,
    do_accept_case,
    do_cancel_request,
    do_close_case,
    do_decline_case,
    do_hand_back_case,
    do_mark_case_read,
    do_submit_feedback,
    do_submit_request,
    do_withdraw_case,
)
from kollega.service.actions.concerns import (
    Raised,
    do_assign_concern,
    do_conclude_concern,
    do_decline_concern,
    do_delete_concern_data,
    do_raise_concern,
    do_take_up_concern,
    do_withdraw_concern,
    run_concern_retention,
)
from kollega.service.actions.conversations import (
    conversation_dates,
    do_cancel_appointment,
    do_grant_conversations,
    do_log_conversation,
    do_plan_appointment,
    do_record_referral,
    do_send_message,
    do_write_to_seeker,
)
from kollega.service.actions.offerings import do_enrol_case, do_remove_enrolment, do_save_offering
from kollega.service.actions.organisation import (
    do_delete_referral_place,
    do_save_counsellor_profile,
    do_save_referral_place,
    do_save_service_settings,
)
from kollega.service.actions.retention import do_delete_case_data, run_retention

__all__ = [
    "RESEARCH_CONSENT_VERSION",
    "SEEKER",
    "SYSTEM",
    "Closed",
    "Raised",
    "Submitted",
    "assign_waiting",
    "conversation_dates",
    "do_accept_case",
    "do_acknowledge_urgent",
    "do_assign_concern",
    "do_assign_counsellor",
    "do_auto_assign",
    "do_cancel_appointment",
    "do_cancel_request",
    "do_choose_counsellor",
    "do_close_case",
    "do_conclude_concern",
    "do_decline_case",
    "do_decline_concern",
    "do_delete_case_data",
    "do_delete_concern_data",
    "do_delete_referral_place",
    "do_enrol_case",
    "do_grant_conversations",
    "do_hand_back_case",
    "do_log_conversation",
    "do_mark_case_read",
    "do_plan_appointment",
    "do_raise_concern",
    "do_reassign_case",
    "do_record_referral",
    "do_remove_enrolment",
    "do_save_counsellor_profile",
    "do_save_offering",
    "do_save_referral_place",
    "do_save_service_settings",
    "do_send_message",
    "do_submit_feedback",
    "do_submit_request",
    "do_take_up_concern",
    "do_withdraw_case",
    "do_withdraw_concern",
    "do_write_to_seeker",
    "escalate_urgent",
    "planned_after",
    "run_concern_retention",
    "run_retention",
    "seeker_language",
]
