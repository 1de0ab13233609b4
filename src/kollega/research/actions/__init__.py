"""Every change to research records: one transaction and one audit event each.

The actions live in modules by subject; every name callers use is importable from here.
Audit details hold identifiers, counts and codes only — never transcript text.
"""

from kollega.research.actions.deidentification import (
    PLACEHOLDERS,
    active_proposal_job,
    do_add_finding,
    do_apply_deidentification,
    do_decide_findings,
    do_propose_identifiers,
)
from kollega.research.actions.interviews import (
    check_recording,
    do_create_interview,
    do_delete_recording,
    do_store_recording,
    do_update_interview,
    recording_bytes,
    rotate_recording_files,
)
from kollega.research.actions.invitations import (
    SEEKER,
    do_answer_invitation,
    do_invite,
    eligible_pool,
    invitations_for,
)
from kollega.research.actions.jobs import (
    STALE_JOB,
    do_cancel_transcription,
    do_resume_stalled_jobs,
    do_start_transcription,
)
from kollega.research.actions.proposals import propose_identifiers, store_proposals
from kollega.research.actions.studies import (
    do_add_consent_version,
    do_add_guide_topic,
    do_add_participant,
    do_add_wave,
    do_create_study,
    do_delete_study,
    do_move_guide_topic,
    do_remove_guide_topic,
    do_update_protocol,
    do_update_study,
    next_pseudonym,
)
from kollega.research.actions.transcripts import (
    MAX_TRANSCRIPT_FILE_MB,
    SPLIT_MARK,
    TurnEdit,
    clean_turn_text,
    do_edit_transcript,
    do_import_transcript,
    do_save_transcript,
    merge_turns,
    split_turns,
)
from kollega.research.actions.windows import (
    SYSTEM,
    WINDOW_NOTICE_DAYS,
    do_exclude_from_wave,
    run_exclusions,
    run_window_notices,
)
from kollega.research.actions.withdrawal import do_withdraw_from_research, do_withdraw_participant

__all__ = [
    "MAX_TRANSCRIPT_FILE_MB",
    "PLACEHOLDERS",
    "SEEKER",
    "SPLIT_MARK",
    "STALE_JOB",
    "SYSTEM",
    "WINDOW_NOTICE_DAYS",
    "TurnEdit",
    "active_proposal_job",
    "check_recording",
    "clean_turn_text",
    "do_add_consent_version",
    "do_add_finding",
    "do_add_guide_topic",
    "do_add_participant",
    "do_add_wave",
    "do_answer_invitation",
    "do_apply_deidentification",
    "do_cancel_transcription",
    "do_create_interview",
    "do_create_study",
    "do_decide_findings",
    "do_delete_recording",
    "do_delete_study",
    "do_edit_transcript",
    "do_exclude_from_wave",
    "do_import_transcript",
    "do_invite",
    "do_move_guide_topic",
    "do_propose_identifiers",
    "do_remove_guide_topic",
    "do_resume_stalled_jobs",
    "do_save_transcript",
    "do_start_transcription",
    "do_store_recording",
    "do_update_interview",
    "do_update_protocol",
    "do_update_study",
    "do_withdraw_from_research",
    "do_withdraw_participant",
    "eligible_pool",
    "invitations_for",
    "merge_turns",
    "next_pseudonym",
    "propose_identifiers",
    "recording_bytes",
    "rotate_recording_files",
    "run_exclusions",
    "run_window_notices",
    "split_turns",
    "store_proposals",
]
