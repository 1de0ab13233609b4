"""Pages for a transcript: the editor, the reading page with search, and downloads."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.core.speakers import SPEAKER_NAMES
from kollega.research import actions, forms
from kollega.research.access import get_transcript_for_user
from kollega.research.actions.transcripts import TurnEdit
from kollega.research.models import Recording, Transcript, clock
from kollega.research.views.base import GET_POST, researcher_only
from kollega.speech.formats import cue_times, to_txt, to_vtt
from kollega.speech.types import TurnDict


def _speakers(transcript: Transcript) -> list[str]:
    return list(
        dict.fromkeys(["interviewer", "participant", *(t["speaker"] for t in transcript.turns)])
    )


# About this many characters fit on a line of a text box on a 320 px screen.
NARROW_LINE_CHARS = 30


def _text_rows(text: str) -> int:
    lines = text.split("\n")
    return max(2, sum(len(line) // NARROW_LINE_CHARS + 1 for line in lines))


def _turn_rows(transcript: Transcript, posted: Any = None) -> list[dict[str, Any]]:
    rows = []
    for i, turn in enumerate(transcript.turns):
        rows.append(
            {
                "index": i,
                "time": " - ".join(
                    x for x in (clock(turn.get("start")), clock(turn.get("end"))) if x
                ),
                "speaker": posted.get(f"speaker-{i}", turn["speaker"])
                if posted
                else turn["speaker"],
                "text": posted.get(f"text-{i}", turn["text"]) if posted else turn["text"],
                # Tall enough for the whole text at 320 px without scripts; the stylesheet
                # and research.js then fit each box to its text.
                "rows": _text_rows(turn["text"]),
                "start": turn.get("start"),
                "start_clock": clock(turn.get("start")),
                "end": turn.get("end"),
            }
        )
    return rows


@require_http_methods(GET_POST)
@never_cache
@researcher_only
def transcript(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_transcript_for_user(request.user, pk)
    interview = found.interview
    speakers = _speakers(found)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        # A stale form is not read: a colleague's save may have changed the turns it shows,
        # and the action refuses it.
        edits: list[TurnEdit] = []
        if version == found.version:
            edits, errors = forms.parse_turns(request.POST, len(found.turns), speakers)
        if not errors:
            try:
                changed = actions.do_edit_transcript(
                    request.user, found, edits=edits, version=version
                )
            except ActionRefused as exc:
                errors.append(str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "The transcript is saved. The words changed, so make the identifier "
                        "proposals again."
                    )
                    if changed and found.deidentified is None
                    else _("The transcript is saved."),
                )
                return redirect("research:transcript", interview.pk)
        status = 400
    else:
        record(request.user, AuditAction.RESEARCH_TRANSCRIPT_VIEW, found, interview=interview.pk)
    return render(
        request,
        "research/transcript.html",
        {
            "transcript": found,
            "interview": interview,
            "participant": interview.participant,
            "rows": _turn_rows(found, request.POST if errors else None),
            "speakers": [(s, SPEAKER_NAMES.get(s, s)) for s in speakers],
            "errors": errors,
            "split_mark": actions.SPLIT_MARK,
            "recording": Recording.objects.filter(interview=interview).first(),
        },
        status=status,
    )


# A search longer than this is not a search for words in a transcript.
MAX_SEARCH = 200


def _marked(text: str, pattern: re.Pattern[str] | None) -> list[tuple[str, bool]]:
    """``text`` in pieces, each marked whether it matches the search."""
    if pattern is None:
        return [(text, False)]
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in pattern.finditer(text):
        pieces += [(text[at : match.start()], False), (match[0], True)]
        at = match.end()
    pieces.append((text[at:], False))
    return [piece for piece in pieces if piece[0]]


@require_GET
@never_cache
@researcher_only
def transcript_read(request: HttpRequest, pk: int) -> HttpResponse:
    """The transcript to read, with the recording beside it and a search within it."""
    found = get_transcript_for_user(request.user, pk)
    interview = found.interview
    query = " ".join(request.GET.get("q", "").split())[:MAX_SEARCH]
    pattern = re.compile(re.escape(query), re.IGNORECASE) if query else None
    rows: list[dict[str, Any]] = [
        {
            "index": i,
            "speaker": SPEAKER_NAMES.get(turn["speaker"], turn["speaker"]),
            "time": " - ".join(x for x in (clock(turn.get("start")), clock(turn.get("end"))) if x),
            "start": turn.get("start"),
            "start_clock": clock(turn.get("start")),
            "end": turn.get("end"),
            "pieces": _marked(turn["text"], pattern),
        }
        for i, turn in enumerate(found.turns)
    ]
    if pattern is not None:
        rows = [row for row in rows if any(marked for _text, marked in row["pieces"])]
    # Whether a search was made is kept, never what was searched for (it may be a name).
    record(
        request.user,
        AuditAction.RESEARCH_TRANSCRIPT_VIEW,
        found,
        interview=interview.pk,
        search=bool(query),
    )
    return render(
        request,
        "research/transcript_read.html",
        {
            "transcript": found,
            "interview": interview,
            "participant": interview.participant,
            "recording": Recording.objects.filter(interview=interview).first(),
            "rows": rows,
            "query": query,
            "matches": sum(marked for row in rows for _text, marked in row["pieces"]),
        },
    )


# Speaker names in downloads follow the interview's language (Nynorsk uses the Bokmål names).
_DOWNLOAD_LANGUAGE = {"nb": "nb", "nn": "nb", "en": "en"}


@require_GET
@researcher_only
def transcript_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    found = get_transcript_for_user(request.user, pk)
    if fmt not in ("txt", "vtt"):
        raise Http404
    with translation.override(_DOWNLOAD_LANGUAGE.get(found.language, "en")):
        turns: list[TurnDict] = [
            {**turn, "speaker": str(SPEAKER_NAMES.get(turn["speaker"], turn["speaker"]))}
            for turn in found.turns
        ]
    if fmt == "vtt":
        if cue_times(turns) is None:
            messages.error(
                request,
                _(
                    "This transcript has no times (it was imported from a file without them), "
                    "so it cannot be made into subtitles. Download it as text instead."
                ),
            )
            return redirect("research:interview", found.interview_id)
        body = to_vtt(turns)
    else:
        body = to_txt(turns)
    record(
        request.user,
        AuditAction.RESEARCH_TRANSCRIPT_DOWNLOAD,
        found,
        format=fmt,
        deidentified=found.deidentified is not None,
    )
    name = f"{found.interview.participant.pseudonym}-{found.interview.pk}.{fmt}"
    # Without the charset a browser or editor guesses, and æøå open as mojibake.
    kind = "text/vtt" if fmt == "vtt" else "text/plain"
    response = HttpResponse(body, content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
