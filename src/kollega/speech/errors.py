"""Exceptions raised by :mod:`kollega.speech`; all derive from :class:`SpeechError`."""


class SpeechError(Exception):
    """Base class for errors a caller can show to the user as they are."""


class AudioError(SpeechError):
    """The input is missing, empty, not audio, truncated, or too long."""


class ModelError(SpeechError):
    """The transcription model cannot be found or loaded."""


class Cancelled(SpeechError):
    """Transcription was cancelled; no partial result exists."""
