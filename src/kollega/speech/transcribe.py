"""Local transcription with faster-whisper."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
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


# Every window is decoded once at temperature 0 with nothing forbidden, so a phrase the speaker
# really repeats stays in the text. Whisper base sometimes loops on a phrase it mishears ("uke
# nøik, uke nøik, ..."): only a window that loops (see find_loops) is decoded again, with these
# temperatures tried in turn while its text still fails Whisper's compression-ratio test, and
# with no run of NO_REPEAT_NGRAM_SIZE tokens allowed twice. A single (0.0,) turns the hotter
# retries off.
DEFAULT_TEMPERATURES: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
# In a window decoded again for looping, forbid any run of this many tokens from occurring twice.
# Shorter runs blocked ordinary English ("I know that the") and dropped whole phrases
# (bench/speech_options.py).
NO_REPEAT_NGRAM_SIZE = 6
# A window loops when a phrase of at least LOOP_MIN_WORDS words comes LOOP_TIMES times in a row,
# or its text compresses better than Whisper's own test allows.
LOOP_TIMES = 3
LOOP_MIN_WORDS = 2
COMPRESSION_RATIO_THRESHOLD = 2.4
# Audio kept either side of a looping stretch when it is decoded again (seconds).
LOOP_PAD_S = 0.5

_WORD = re.compile("[\\w'\u2019-]+")


def repeats_in_a_row(
    text: str, *, times: int = LOOP_TIMES, min_words: int = LOOP_MIN_WORDS
) -> bool:
    """Whether some phrase of ``min_words`` words or more comes ``times`` times in a row
    (case and punctuation ignored): "uke nøik, uke nøik, uke nøik" does; "jeg vet ikke, jeg vet
    ikke" does not."""
    words = [w.lower() for w in _WORD.findall(text)]
    for size in range(min_words, len(words) // times + 1):
        for start in range(len(words) - size * times + 1):
            phrase = words[start : start + size]
            if all(
                words[start + k * size : start + (k + 1) * size] == phrase for k in range(1, times)
            ):
                return True
    return False


def find_loops(
    segments: Sequence[Segment], compression: Sequence[float | None] | None = None
) -> list[tuple[float, float]]:
    """The stretches ``(start, end)`` to decode again: segments whose text repeats a phrase
    three times in a row, whose window failed the compression-ratio test, or that are the same
    text three or more times over, with neighbouring stretches joined."""
    looping = [
        repeats_in_a_row(seg.text)
        or (
            compression is not None
            and compression[i] is not None
            and compression[i] > COMPRESSION_RATIO_THRESHOLD  # type: ignore[operator]
        )
        for i, seg in enumerate(segments)
    ]
    keys = [" ".join(w.lower() for w in _WORD.findall(seg.text)) for seg in segments]
    run_start = 0
    for i in range(1, len(segments) + 1):
        if i == len(segments) or keys[i] != keys[run_start] or not keys[i]:
            if i - run_start >= LOOP_TIMES and keys[run_start]:
                for k in range(run_start, i):
                    looping[k] = True
            run_start = i
    stretches: list[tuple[float, float]] = []
    for seg, loops in zip(segments, looping, strict=True):
        if not loops:
            continue
        if stretches and seg.start - stretches[-1][1] <= 1.0:
            stretches[-1] = (stretches[-1][0], max(stretches[-1][1], seg.end))
        else:
            stretches.append((seg.start, seg.end))
    return stretches


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
    :func:`~kollega.speech.model.load_model`). Voice activity detection is on and every window
    is decoded at temperature 0 with nothing forbidden, so what a speaker repeats is kept. Only
    a stretch that loops (a phrase three times in a row, or text failing the compression-ratio
    test; :func:`find_loops`) is decoded again, with no 6-token run repeated and
    ``temperatures`` tried in turn while it still loops; ``(0.0,)`` turns those retries off.

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
        found: list[Segment] = []
        compression: list[float | None] = []
        for seg in _run(engine, samples, language, beam_size, first_pass=True):
            if is_cancelled():
                raise Cancelled("transcription cancelled; no partial transcript was kept")
            found.append(_segment(seg, channel))
            compression.append(getattr(seg, "compression_ratio", None))
            if on_progress is not None:
                done = min(1.0, (index * decoded.duration + seg.end) / total)
                on_progress(_progress(done, time.monotonic() - started))
        for start, end in find_loops(found, compression):
            if is_cancelled():
                raise Cancelled("transcription cancelled; no partial transcript was kept")
            found = _decode_loop_again(
                engine, samples, found, start, end, language, beam_size, temperatures, channel
            )
        segments.extend(found)
    if on_progress is not None:
        on_progress(Progress(fraction=1.0, elapsed_s=time.monotonic() - started, eta_s=0.0))
    if method == "channels":
        made = turns_by_channel(segments, channels=decoded.channels, sample_rate=SAMPLE_RATE)
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


def whisper_options(language: str, *, beam_size: int = 5) -> dict[str, object]:
    """The faster-whisper ``transcribe`` options of the first pass over every window (shared
    with the benchmark): temperature 0, nothing forbidden."""
    return {
        "language": whisper_language(language),
        "beam_size": beam_size,
        "vad_filter": True,
        "temperature": (0.0,),
        # Computed for find_loops; with one temperature it triggers no retry by itself.
        "compression_ratio_threshold": COMPRESSION_RATIO_THRESHOLD,
        "log_prob_threshold": None,
        "no_repeat_ngram_size": 0,
        # Conditioning on earlier text lets one misheard phrase repeat for minutes.
        "condition_on_previous_text": False,
        # VAD already decides where speech is; Whisper's own no-speech test dropped whole
        # 30-second windows of hard-to-hear speech.
        "no_speech_threshold": None,
    }


def loop_options(
    language: str, *, beam_size: int = 5, temperatures: tuple[float, ...] = DEFAULT_TEMPERATURES
) -> dict[str, object]:
    """The options for decoding a looping stretch again: hotter retries while the text still
    fails the compression-ratio test (Whisper's log-probability test off: it failed many windows
    of a voice the model hears badly, for no better text; bench/speech_options.py), and no run
    of NO_REPEAT_NGRAM_SIZE tokens twice."""
    return whisper_options(language, beam_size=beam_size) | {
        "temperature": temperatures,
        "no_repeat_ngram_size": NO_REPEAT_NGRAM_SIZE,
    }


def _run(
    engine: WhisperModel,
    samples: npt.NDArray[np.float32],
    language: str,
    beam_size: int,
    *,
    first_pass: bool,
    temperatures: tuple[float, ...] = DEFAULT_TEMPERATURES,
) -> Iterable[WhisperSegment]:
    options = (
        whisper_options(language, beam_size=beam_size)
        if first_pass
        else loop_options(language, beam_size=beam_size, temperatures=temperatures)
    )
    segments: Iterable[WhisperSegment]
    segments, _info = engine.transcribe(samples, **options)
    return segments


def _segment(seg: WhisperSegment, channel: int | None, offset: float = 0.0) -> Segment:
    return Segment(
        start=round(seg.start + offset, 3),
        end=round(seg.end + offset, 3),
        text=seg.text.strip(),
        channel=channel,
        avg_logprob=round(seg.avg_logprob, 4),
    )


def _decode_loop_again(
    engine: WhisperModel,
    samples: npt.NDArray[np.float32],
    segments: list[Segment],
    start: float,
    end: float,
    language: str,
    beam_size: int,
    temperatures: tuple[float, ...],
    channel: int | None,
) -> list[Segment]:
    """``segments`` with those inside ``start`` to ``end`` replaced by a new decoding of just that
    stretch of audio (kept as they were if the new one finds no words)."""
    first = max(0.0, start - LOOP_PAD_S)
    last = end + LOOP_PAD_S
    clip = samples[int(first * SAMPLE_RATE) : int(last * SAMPLE_RATE)]
    again = [
        _segment(seg, channel, offset=first)
        for seg in _run(
            engine, clip, language, beam_size, first_pass=False, temperatures=temperatures
        )
        if seg.text.strip()
    ]
    if not again:
        return segments
    kept = [seg for seg in segments if seg.end <= start or seg.start >= end]
    return sorted([*kept, *again], key=lambda seg: seg.start)


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
