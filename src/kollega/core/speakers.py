"""The names people see for the speaker roles in a transcript.

Below both the research app (which writes transcripts) and the workbench (which reads them),
so that each names a speaker the same way. A role not listed shows as it is stored.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

SPEAKER_NAMES = {
    "interviewer": gettext_lazy("Interviewer"),
    "participant": gettext_lazy("Participant"),
    "speaker": gettext_lazy("Speaker"),
}
