"""Local transcription with faster-whisper."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from kollega.speech.audio import DEFAULT_MAX_DURATION_S, SAMPLE_RATE, Audio, load_audio
from kollega.speech.errors import Cancelled, SpeechError
from kollega.speech.model import DEFAULT_MODEL, load_model
from kollega.speech.turns import single_turn, turns_by_channel, turns_by_pauses
from kollega.speech.types import Segment, SpeechTranscript, TurnMethod

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from faster_whisper import WhisperModel
    from faster_whisper.transcribe import Segment as WhisperSegment

TurnChoice = Literal["auto", "channels", "pauses", "none"]

# Whisper knows Bokmål only as "no"; auto-detection mislabels it, so it is always passed.
_WHISPER_LANGUAGE = {"nb": "no", "no": "no", "nn": "nn", "en": "en"}


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported after each recognised segment: share done and an estimate of time left."""

    fraction: float
    elapsed_s: float
    eta_s: float | None


ProgressCallback = Callable[[Progress], None]
CancelCheck = Callable[[], bool] | threading.Event


def whisper_language(language: str) -> str:
    """The Whisper language code for an ISO 639-1 code (``nb`` → ``no``)."""
    return _WHISPER_LANGUAGE.get(language, language)


# Temperature 0 first; hotter retries only for a window whose text still repeats itself
# (see whisper_options). A single (0.0,) turns the retries off.
DEFAULT_TEMPERATURES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
# Forbid any run of this many tokens from occurring twice in one 30-second window. Whisper base
# loops on phrases it mishears ("uke nøik, uke nøik, ..."); blocking the repeat ends most loops
# at temperature 0. Shorter runs block ordinary English ("I know that the") and dropped whole
# phrases (bench/speech_options.py). The price: a verbatim repeat within a window is lost.
NO_REPEAT_NGRAM_SIZE = 6


def transcribe(
    audio: str | os.PathLike[str] | Audio,
    *,
    language: str,
    on_progress: ProgressCallback | None = None,
    cancel: CancelCheck | None = None,
    model: str | os.PathLike[str] | WhisperModel = DEFAULT_MODEL,
    turns: TurnChoice = "auto",
    beam_size: int = 5,
    temperatures: tuple[float, ...] = DEFAULT_TEMPERATURES,
    max_duration_s: float = DEFAULT_MAX_DURATION_S,
    cpu_threads: int = 0,
) -> SpeechTranscript:
    """Transcribe a recording and split it into speaker turns.

    ``audio`` is a file path (anything PyAV decodes) or decoded :class:`Audio`; ``language``
    an ISO code (``nb``, ``nn``, ``en``, ...), passed to Whisper explicitly. ``model`` is a
    known model name, a model directory or a loaded ``WhisperModel`` (see
    :func:`~kollega.speech.model.load_model`). Voice activity detection is on and decoding
    is at temperature 0 with no 6-token run repeated within a window; ``temperatures`` after
    the first are tried only for a window whose text still repeats itself (Whisper's
    compression-ratio test), and ``(0.0,)`` turns those retries off.

    ``turns``: ``"channels"`` transcribes each channel of a two-channel file separately;
    ``"pauses"`` splits one channel at pauses; ``"auto"`` picks ``channels`` when the file has
    two different channels and ``pauses`` otherwise. The method used is in
    ``SpeechTranscript.turn_method``.

    ``on_progress`` is called after each segment; ``cancel`` (an Event or a callable returning
    True to stop) is checked between segments. Raises :class:`~kollega.speech.errors.Cancelled`
    when cancelled — nothing partial is returned — and
    :class:`~kollega.speech.errors.AudioError` or :class:`~kollega.speech.errors.ModelError`
    for bad input.
    """
    is_cancelled = _cancel_check(cancel)
    decoded = (
        audio if isinstance(audio, Audio) else load_audio(audio, max_duration_s=max_duration_s)
    )
    method: TurnMethod
    if turns == "auto":
        method = "channels" if decoded.is_two_speaker_stereo else "pauses"
    else:
        method = turns
    if method == "channels" and len(decoded.channels) != 2:
        raise SpeechError(f"{decoded.source}: turns by channel need a two-channel recording")
    if is_cancelled():
        raise Cancelled("transcription cancelled before it started")
    engine = _engine(model, cpu_threads)
    started = time.monotonic()
    tracks = list(decoded.channels) if method == "channels" else [decoded.mono]
    total = decoded.duration * len(tracks)
    segments: list[Segment] = []
    for index, samples in enumerate(tracks):
        channel = index if method == "channels" else None
        for seg in _run(engine, samples, language, beam_size, temperatures):
            if is_cancelled():
                raise Cancelled("transcription cancelled; no partial transcript was kept")
            segments.append(
                Segment(
                    start=round(seg.start, 3),
                    end=round(seg.end, 3),
                    text=seg.text.strip(),
                    channel=channel,
                    avg_logprob=round(seg.avg_logprob, 4),
                )
            )
            if on_progress is not None:
                done = min(1.0, (index * decoded.duration + seg.end) / total)
                on_progress(_progress(done, time.monotonic() - started))
    if on_progress is not None:
        on_progress(Progress(fraction=1.0, elapsed_s=time.monotonic() - started, eta_s=0.0))
    if method == "channels":
        made = turns_by_channel(segments)
    elif method == "pauses":
        made = turns_by_pauses(segments, samples=decoded.mono, sample_rate=SAMPLE_RATE)
    else:
        made = single_turn(segments)
    return SpeechTranscript(
        language=language,
        duration=round(decoded.duration, 3),
        segments=tuple(sorted(segments, key=lambda s: s.start)),
        turns=made,
        turn_method=method,
        model=_model_name(model),
        speakers=tuple(dict.fromkeys(turn.speaker for turn in made)),
    )


def whisper_options(
    language: str, *, beam_size: int = 5, temperatures: tuple[float, ...] = DEFAULT_TEMPERATURES
) -> dict[str, object]:
    """The faster-whisper ``transcribe`` options this module uses (shared with the benchmark)."""
    return {
        "language": whisper_language(language),
        "beam_size": beam_size,
        "vad_filter": True,
        "temperature": temperatures,
        # Retry only windows that loop (compression ratio above Whisper's 2.4). Whisper's
        # log-probability test fails many windows of a voice the model hears badly, and their
        # hotter re-decodes cost time for no better text (bench/speech_options.py).
        "log_prob_threshold": None,
        "no_repeat_ngram_size": NO_REPEAT_NGRAM_SIZE,
        # Conditioning on earlier text lets one misheard phrase repeat for minutes.
        "condition_on_previous_text": False,
        # VAD already decides where speech is; Whisper's own no-speech test dropped whole
        # 30-second windows of hard-to-hear speech.
        "no_speech_threshold": None,
    }


def _run(
    engine: WhisperModel,
    samples: npt.NDArray[np.float32],
    language: str,
    beam_size: int,
    temperatures: tuple[float, ...],
) -> Iterable[WhisperSegment]:
    options = whisper_options(language, beam_size=beam_size, temperatures=temperatures)
    segments: Iterable[WhisperSegment]
    segments, _info = engine.transcribe(samples, **options)
    return segments


def _engine(model: str | os.PathLike[str] | WhisperModel, cpu_threads: int) -> WhisperModel:
    if isinstance(model, str | os.PathLike):
        return load_model(model, cpu_threads=cpu_threads)
    return model


def _model_name(model: str | os.PathLike[str] | WhisperModel) -> str:
    if isinstance(model, str | os.PathLike):
        return os.fspath(model)
    return type(model).__name__


def _cancel_check(cancel: CancelCheck | None) -> Callable[[], bool]:
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    return cancel


def _progress(fraction: float, elapsed: float) -> Progress:
    eta = elapsed * (1 - fraction) / fraction if fraction > 0 else None
    return Progress(fraction=fraction, elapsed_s=elapsed, eta_s=eta)
