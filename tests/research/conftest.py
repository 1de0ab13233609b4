"""The research app's additions to the cast: a study with participants, and audio made here."""

from __future__ import annotations

import io
import math
import struct
import wave
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kollega.core import roles
from kollega.research import actions
from kollega.research.models import Interview, Participant, Study, Transcript
from tests.cast import Cast, Member, make_member


@dataclass
class Studied:
    study: Study
    participant: Participant
    interview: Interview
    owner: Member
    stranger_researcher: Member


@pytest.fixture
def studied(cast: Cast) -> Studied:
    owner = cast.researcher
    study = actions.do_create_study(owner.user, title="Help-seeking study", aims="", language="nb")
    participant = actions.do_add_participant(owner.user, study, pseudonym="P01")
    interview = actions.do_create_interview(
        owner.user, participant, kind="first", scheduled_on=None, language="nb"
    )
    other = make_member("rut", roles.RESEARCHER, first_name="Rut")
    return Studied(study, participant, interview, owner, other)


def tone_wav(seconds: float = 1.5, *, channels: int = 1, rate: int = 16000) -> bytes:
    """A quiet sine tone as WAV bytes: real audio without a speech synthesiser."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = bytearray()
        for i in range(int(seconds * rate)):
            sample = int(3000 * math.sin(2 * math.pi * 440 * i / rate))
            frames += struct.pack("<h", sample) * channels
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def upload(data: bytes, name: str = "interview.wav") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="audio/wav")


def add_transcript(interview: Interview, turns: list[tuple[str, str]], **fields: Any) -> Transcript:
    transcript = Transcript(
        interview=interview,
        source=fields.pop("source", "imported"),
        turn_method=fields.pop("turn_method", "file"),
        language=fields.pop("language", interview.language),
        **fields,
    )
    transcript.set_turns(
        [
            {"speaker": speaker, "start": float(i * 10), "end": float(i * 10 + 9), "text": text}
            for i, (speaker, text) in enumerate(turns)
        ]
    )
    transcript.save()
    return transcript
