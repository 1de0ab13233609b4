"""Speaker turns without a diarisation model.

Two methods, both suggestions the researcher corrects in the editor:

* :func:`turns_by_channel` — a two-channel recording (one microphone per speaker): each
  segment belongs to the speaker of the channel it was recognised on.
* :func:`turns_by_pauses` — one channel: each segment's median voice pitch is measured and
  the segments are clustered into two voices when two pitches are clearly apart; otherwise
  segments are grouped into blocks at pauses of at least ``min_pause_s`` and the blocks are
  given to the two speakers in alternation (question, answer, question, ...).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from kollega.speech.types import Segment, Turn

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

DEFAULT_SPEAKERS = ("interviewer", "participant")
_FRAME_S = 0.04
_MIN_F0, _MAX_F0 = 60.0, 400.0
# Two clusters of block pitch must differ by this factor to be taken as two voices.
_PITCH_SEPARATION = 1.2
# Another speaker's words closer than this to a segment's edge overlap it; they do not cut it.
_EDGE_S = 0.2
_SENTENCE_ENDS = (".", "?", "!", "…")
# A cut moves to a sentence end at most this many words away from its place by time.
_SNAP_WORDS = 4


def turns_by_channel(
    segments: Sequence[Segment],
    *,
    channels: Sequence[npt.NDArray[np.float32]] | None = None,
    sample_rate: int = 16_000,
    speakers: tuple[str, str] = DEFAULT_SPEAKERS,
) -> tuple[Turn, ...]:
    """Turns from segments whose ``channel`` is 0 (first speaker) or 1 (second), in time order.

    Whisper reads each channel on its own and often gives one segment that runs over a
    silence of that channel, while the other speaker talked: a question, the answer on the
    other channel, and the next question come back as one segment. Such a segment is cut
    where the other speaker's words lie inside it (:func:`split_around`), so that a new turn
    starts whenever the speaker changes in time. ``channels`` (the two channels' samples)
    tells where each piece of a cut segment holds voice; without them pieces are weighed by
    their length.
    """
    channel_of = [1 if seg.channel == 1 else 0 for seg in segments]
    pieces: list[Segment] = []
    for seg, channel in zip(segments, channel_of, strict=True):
        others = [o for o, c in zip(segments, channel_of, strict=True) if c != channel]
        voice = (
            _voice_in(channels[channel], sample_rate, seg.start, seg.end)
            if channels is not None
            else None
        )
        pieces.extend(split_around(seg, others, voice=voice))
    ordered = sorted(pieces, key=lambda s: (s.start, 1 if s.channel == 1 else 0))
    labels = [speakers[1] if seg.channel == 1 else speakers[0] for seg in ordered]
    return merge_turns(ordered, labels)


def split_around(
    segment: Segment,
    others: Sequence[Segment],
    *,
    voice: Callable[[float, float], tuple[float, float, float] | None] | None = None,
) -> list[Segment]:
    """``segment`` cut at the stretches inside it where ``others`` (the other speaker) speak.

    A segment gives no word times, so its text is shared out among the pieces in proportion
    to how long each holds voice (``voice(start, end)``: seconds of voice, first and last
    voiced moment, or None for none; without it, each piece's length), each cut moved to the
    nearest sentence end when one lies close, else to a word boundary. A piece without voice
    gets no words (Whisper often starts a segment at the silence before it), and a voiced
    piece's times shrink to its voice. Overlaps at the segment's edges (both speak at a turn's
    change) cut nothing.
    """
    inside = sorted(
        (max(o.start, segment.start), min(o.end, segment.end))
        for o in others
        if o.start > segment.start + _EDGE_S and o.end < segment.end - _EDGE_S and o.text.strip()
    )
    gaps: list[tuple[float, float]] = []
    for start, end in inside:
        if gaps and start <= gaps[-1][1]:
            gaps[-1] = (gaps[-1][0], max(gaps[-1][1], end))
        else:
            gaps.append((start, end))
    if not gaps:
        return [segment]
    spans = []
    at = segment.start
    for start, end in gaps:
        spans.append((at, start))
        at = end
    spans.append((at, segment.end))
    if voice is not None:
        found = [voice(start, end) for start, end in spans]
        spans = [(v[1], v[2]) if v else span for v, span in zip(found, spans, strict=True)]
        weights = [v[0] if v else 0.0 for v in found]
    else:
        weights = [max(end - start, 0.0) for start, end in spans]
    if not any(weights):
        return [segment]
    texts = _share_text(segment.text.strip(), weights)
    return [
        Segment(
            start=start,
            end=end,
            text=text,
            channel=segment.channel,
            avg_logprob=segment.avg_logprob,
        )
        for (start, end), text in zip(spans, texts, strict=True)
        if text
    ]


def _voice_in(
    samples: npt.NDArray[np.float32], sample_rate: int, start: float, end: float
) -> Callable[[float, float], tuple[float, float, float] | None]:
    """A ``voice`` measure for :func:`split_around` over one segment of one channel: frames
    louder than a tenth of the segment's loudest frame (by RMS) are voice."""
    # Imported when used: numpy is slow to load and only this path needs it.
    import numpy as np

    frame = int(_FRAME_S * sample_rate)
    first = int(start * sample_rate) // frame
    chunk = samples[first * frame : int(end * sample_rate)]
    n_frames = len(chunk) // frame
    rms = (
        np.sqrt(
            (chunk[: n_frames * frame].reshape(n_frames, frame).astype(np.float64) ** 2).mean(
                axis=1
            )
        )
        if n_frames
        else np.zeros(0)
    )
    loud = rms > 0.1 * float(rms.max()) if n_frames else np.zeros(0, dtype=bool)

    def measure(lo: float, hi: float) -> tuple[float, float, float] | None:
        a = max(0, int(lo / _FRAME_S) - first)
        b = min(n_frames, int(np.ceil(hi / _FRAME_S)) - first)
        voiced = np.flatnonzero(loud[a:b]) if b > a else np.zeros(0, dtype=int)
        if len(voiced) == 0:
            return None
        t0 = max(lo, (first + a + int(voiced[0])) * _FRAME_S)
        t1 = min(hi, (first + a + int(voiced[-1]) + 1) * _FRAME_S)
        return len(voiced) * _FRAME_S, round(t0, 3), round(t1, 3)

    return measure


def _share_text(text: str, weights: Sequence[float]) -> list[str]:
    """``text`` cut into ``len(weights)`` pieces, sized by ``weights``, at word boundaries."""
    words = text.split()
    total = sum(weights) or 1.0
    # Word indices after which a sentence ends, preferred as places to cut.
    ends = {i + 1 for i, word in enumerate(words) if word.endswith(_SENTENCE_ENDS)}
    cuts: list[int] = []
    share = 0.0
    for weight in weights[:-1]:
        share += weight
        target = len(words) * share / total
        low = cuts[-1] if cuts else 0
        near = [i for i in ends if low < i < len(words) and abs(i - target) <= _SNAP_WORDS]
        cut = min(near, key=lambda i: abs(i - target)) if near else round(target)
        cuts.append(min(max(cut, low), len(words)))
    bounds = [0, *cuts, len(words)]
    return [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]


def turns_by_pauses(
    segments: Sequence[Segment],
    *,
    samples: npt.NDArray[np.float32] | None = None,
    sample_rate: int = 16_000,
    min_pause_s: float = 0.8,
    speakers: tuple[str, str] = DEFAULT_SPEAKERS,
) -> tuple[Turn, ...]:
    """Turns from one channel's segments, split at pauses.

    ``samples`` (mono audio) enables the pitch clustering; without it speakers alternate.
    """
    ordered = sorted(segments, key=lambda s: s.start)
    # Whisper's segment times rarely leave a gap between speakers, so pitch comes first.
    clusters = (
        _pitch_clusters([[seg] for seg in ordered], samples, sample_rate)
        if samples is not None
        else None
    )
    if clusters is not None:
        first = clusters[0]
        labels = [speakers[0] if c == first else speakers[1] for c in clusters]
        return merge_turns(ordered, labels)
    labels = []
    block = 0
    for i, seg in enumerate(ordered):
        if i and seg.start - ordered[i - 1].end >= min_pause_s:
            block += 1
        labels.append(speakers[block % 2])
    return merge_turns(ordered, labels)


def single_turn(segments: Sequence[Segment], *, speaker: str = "speaker") -> tuple[Turn, ...]:
    """All segments as consecutive turns of one speaker (no split)."""
    return merge_turns(list(segments), [speaker] * len(segments))


def merge_turns(segments: Sequence[Segment], labels: Sequence[str]) -> tuple[Turn, ...]:
    turns: list[Turn] = []
    group: list[Segment] = []
    for i, seg in enumerate(segments):
        group.append(seg)
        if i + 1 == len(segments) or labels[i + 1] != labels[i]:
            turns.append(
                Turn(
                    speaker=labels[i],
                    start=group[0].start,
                    end=max(s.end for s in group),
                    text=" ".join(s.text.strip() for s in group if s.text.strip()),
                    segments=tuple(group),
                )
            )
            group = []
    return tuple(turns)


def _pitch_clusters(
    blocks: Sequence[Sequence[Segment]], samples: npt.NDArray[np.float32], sample_rate: int
) -> list[int] | None:
    """Cluster blocks into two by median pitch; None when there is no clear second voice."""
    # Imported when used: numpy is slow to load and only this path needs it.
    import numpy as np

    pitches = []
    for block in blocks:
        lo = int(block[0].start * sample_rate)
        hi = int(max(s.end for s in block) * sample_rate)
        pitches.append(_median_pitch(samples[lo:hi], sample_rate))
    known = [p for p in pitches if p is not None]
    if len(known) < 2:
        return None
    values = np.log(np.array(known))
    low, high = float(values.min()), float(values.max())
    for _ in range(20):
        is_high = np.abs(values - high) < np.abs(values - low)
        if is_high.all() or not is_high.any():
            return None
        low, high = float(values[~is_high].mean()), float(values[is_high].mean())
    if high - low < np.log(_PITCH_SEPARATION):
        return None
    threshold = (low + high) / 2
    # A block without voiced frames takes its predecessor's cluster.
    clusters: list[int] = []
    for pitch in pitches:
        if pitch is None:
            clusters.append(clusters[-1] if clusters else 0)
        else:
            clusters.append(int(np.log(pitch) > threshold))
    return clusters


def _median_pitch(samples: npt.NDArray[np.float32], sample_rate: int) -> float | None:
    """Median fundamental frequency of the louder frames, by autocorrelation."""
    # Imported when used: numpy is slow to load and only this path needs it.
    import numpy as np

    frame = int(_FRAME_S * sample_rate)
    n_frames = len(samples) // frame
    if n_frames == 0:
        return None
    frames = samples[: n_frames * frame].reshape(n_frames, frame).astype(np.float64)
    frames -= frames.mean(axis=1, keepdims=True)
    energy = (frames**2).mean(axis=1)
    voiced = frames[energy > 0.3 * energy.max()] if energy.max() > 0 else frames[:0]
    if len(voiced) == 0:
        return None
    spectrum = np.fft.rfft(voiced, n=2 * frame, axis=1)
    autocorr = np.fft.irfft(np.abs(spectrum) ** 2, axis=1)[:, :frame]
    min_lag = int(sample_rate / _MAX_F0)
    max_lag = min(int(sample_rate / _MIN_F0), frame - 1)
    window = autocorr[:, min_lag:max_lag]
    lags = window.argmax(axis=1) + min_lag
    strength = window.max(axis=1) / np.maximum(autocorr[:, 0], 1e-12)
    good = lags[strength > 0.3]
    if len(good) == 0:
        return None
    return float(sample_rate / np.median(good))
