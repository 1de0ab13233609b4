"""Local transcription and de-identification of interview recordings.

Pure Python: no Django, nothing leaves the machine, and importing this package loads neither
the speech model nor spaCy (they load on first use).

Main entry points: :func:`transcribe`, :func:`find_identifiers`, :func:`apply`, and the
writers in :mod:`kollega.speech.formats`.
"""

from kollega.speech.audio import Audio, load_audio
from kollega.speech.deid import apply, find_identifiers, propagate
from kollega.speech.errors import AudioError, Cancelled, ModelError, SpeechError
from kollega.speech.formats import (
    read_srt,
    read_vtt,
    to_srt,
    to_stc_transcript,
    to_txt,
    to_vtt,
    write_srt,
    write_txt,
    write_vtt,
)
from kollega.speech.model import DEFAULT_MODEL, load_model, resolve_model
from kollega.speech.transcribe import Progress, transcribe
from kollega.speech.types import (
    Finding,
    OffsetMap,
    Replacement,
    Segment,
    SpeechTranscript,
    Turn,
    TurnDict,
)

__all__ = [
    "DEFAULT_MODEL",
    "Audio",
    "AudioError",
    "Cancelled",
    "Finding",
    "ModelError",
    "OffsetMap",
    "Progress",
    "Replacement",
    "Segment",
    "SpeechError",
    "SpeechTranscript",
    "Turn",
    "TurnDict",
    "apply",
    "find_identifiers",
    "load_audio",
    "load_model",
    "propagate",
    "read_srt",
    "read_vtt",
    "resolve_model",
    "to_srt",
    "to_stc_transcript",
    "to_txt",
    "to_vtt",
    "transcribe",
    "write_srt",
    "write_txt",
    "write_vtt",
]
