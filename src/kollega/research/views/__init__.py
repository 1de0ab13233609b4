"""Pages of the research app, in modules by subject. Views are thin: they check access,
validate forms, call actions. Every name the URL conf and other modules use is importable
from here."""

from kollega.core.speakers import SPEAKER_NAMES
from kollega.research.views.deidentification import (
    KIND_NAMES,
    PROPOSALS_PER_PAGE,
    deidentify,
    deidentify_add,
    deidentify_progress,
    deidentify_propose,
)
from kollega.research.views.interviews import (
    interview,
    interview_edit,
    interview_new,
    job_cancel,
    job_status,
    recording_audio,
    recording_delete,
    recording_upload,
    transcribe,
    transcript_import,
)
from kollega.research.views.protocol import (
    consent_add,
    guide_add,
    guide_move,
    guide_remove,
    pool,
    protocol,
    recruitment,
    wave_add,
)
from kollega.research.views.studies import (
    participant,
    participant_new,
    participant_withdraw,
    studies,
    study,
    study_edit,
    study_new,
)
from kollega.research.views.transcripts import transcript, transcript_download, transcript_read

__all__ = [
    "KIND_NAMES",
    "PROPOSALS_PER_PAGE",
    # Kept here for the workbench's reading page until it imports kollega.core.speakers.
    "SPEAKER_NAMES",
    "consent_add",
    "deidentify",
    "deidentify_add",
    "deidentify_progress",
    "deidentify_propose",
    "guide_add",
    "guide_move",
    "guide_remove",
    "interview",
    "interview_edit",
    "interview_new",
    "job_cancel",
    "job_status",
    "participant",
    "participant_new",
    "participant_withdraw",
    "pool",
    "protocol",
    "recording_audio",
    "recording_delete",
    "recording_upload",
    "recruitment",
    "studies",
    "study",
    "study_edit",
    "study_new",
    "transcribe",
    "transcript",
    "transcript_download",
    "transcript_import",
    "transcript_read",
    "wave_add",
]
