"""Decoding and checking recordings (wav, mp3, m4a, ogg, flac, ...) with PyAV.

Audio is returned as 16 kHz float32 in [-1, 1], the rate Whisper expects.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kollega.speech.errors import AudioError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SAMPLE_RATE = 16_000
DEFAULT_MAX_DURATION_S = 4 * 3600.0
# A decoded stream shorter than the container promises by more than this is truncated.
_TRUNCATION_TOLERANCE_S = 0.25


@dataclass(frozen=True, slots=True)
class Audio:
    """Decoded audio: ``channels`` holds one 1-D float32 array per channel (one or two)."""

    channels: tuple[npt.NDArray[np.float32], ...]
    source: str

    @property
    def duration(self) -> float:
        return len(self.channels[0]) / SAMPLE_RATE

    @property
    def mono(self) -> npt.NDArray[np.float32]:
        """The channels mixed down to one."""
        if len(self.channels) == 1:
            return self.channels[0]
        # Imported when used: numpy is slow to load and only this path needs it.
        import numpy as np

        mixed: npt.NDArray[np.float32] = np.mean(np.stack(self.channels), axis=0).astype(np.float32)
        return mixed

    @property
    def is_two_speaker_stereo(self) -> bool:
        """True for two channels that carry different signals (not one signal copied twice)."""
        if len(self.channels) != 2:
            return False
        # Imported when used: numpy is slow to load and only this path needs it.
        import numpy as np

        left, right = self.channels
        diff = float(np.sqrt(np.mean((left - right) ** 2)))
        level = float(np.sqrt(np.mean(left**2) + np.mean(right**2))) or 1.0
        return diff / level > 0.1


def load_audio(
    source: str | os.PathLike[str], *, max_duration_s: float = DEFAULT_MAX_DURATION_S
) -> Audio:
    """Decode a recording to 16 kHz, keeping two channels apart when there are exactly two.

    Raises :class:`AudioError` with a message fit for the user when the file is missing,
    empty, not audio, truncated (decodes shorter than its header promises), silent-length zero,
    or longer than ``max_duration_s``.
    """
    path = Path(source)
    if not path.is_file():
        raise AudioError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise AudioError(f"{path}: the file is empty")
    _check_wav_header(path)
    # Imported when used: av is slow to load and only this path needs it.
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(f"{path}: the file has no audio stream")
            stream = container.streams.audio[0]
            n_channels = stream.channels
            declared = _declared_duration(container, stream)
    except av.FFmpegError as exc:
        raise AudioError(f"{path}: not a readable audio file ({exc.strerror})") from exc
    if declared is not None and declared > max_duration_s:
        raise AudioError(
            f"{path}: the recording lasts {declared / 60:.0f} min, more than the limit of "
            f"{max_duration_s / 60:.0f} min"
        )
    # Imported when used: faster_whisper is slow to load and only this path needs it.
    from faster_whisper.audio import decode_audio

    try:
        if n_channels == 2:
            left, right = decode_audio(str(path), sampling_rate=SAMPLE_RATE, split_stereo=True)
            channels: tuple[npt.NDArray[np.float32], ...] = (left, right)
        else:
            channels = (decode_audio(str(path), sampling_rate=SAMPLE_RATE),)
    except (av.FFmpegError, ValueError) as exc:
        raise AudioError(f"{path}: the audio cannot be decoded ({exc})") from exc
    audio = Audio(channels=channels, source=str(path))
    if audio.duration == 0:
        raise AudioError(f"{path}: the file holds no audio samples")
    if declared is not None and audio.duration + _TRUNCATION_TOLERANCE_S < declared:
        raise AudioError(
            f"{path}: the file is truncated (decoded {audio.duration:.1f} s of "
            f"{declared:.1f} s its header announces)"
        )
    if audio.duration > max_duration_s:
        raise AudioError(
            f"{path}: the recording lasts {audio.duration / 60:.0f} min, more than the limit of "
            f"{max_duration_s / 60:.0f} min"
        )
    return audio


def _declared_duration(container: object, stream: object) -> float | None:
    duration = getattr(stream, "duration", None)
    time_base = getattr(stream, "time_base", None)
    if duration and time_base:
        return float(duration * time_base)
    container_duration = getattr(container, "duration", None)
    if container_duration:
        return float(container_duration) / 1_000_000
    return None


def _check_wav_header(path: Path) -> None:
    """FFmpeg sizes a WAV by its file length, so compare with the ``data`` chunk's size."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        header = fh.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            return
        offset = 12
        while offset + 8 <= size:
            fh.seek(offset)
            chunk_id, chunk_size = struct.unpack("<4sI", fh.read(8))
            if chunk_id == b"data":
                # 0 and 0xFFFFFFFF mark streams written without knowing their length.
                if chunk_size not in (0, 0xFFFFFFFF) and offset + 8 + chunk_size > size:
                    raise AudioError(
                        f"{path}: the file is truncated ({size - offset - 8} of "
                        f"{chunk_size} bytes of audio present)"
                    )
                return
            offset += 8 + chunk_size + (chunk_size & 1)
