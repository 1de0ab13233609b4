"""Pages of the research app. Views are thin: they check access, validate forms, call actions."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.audit import record
from kollega.core.errors import ActionRefused
from kollega.core.roles import RESEARCHER, role_required
from kollega.research import actions, forms, recordings
from kollega.research.access import (
    get_interview_for_user,
    get_participant_for_user,
    get_study_for_user,
    get_transcript_for_user,
    studies_for_user,
)
from kollega.research.models import (
    TURN_SEPARATOR,
    FindingDecision,
    Interview,
    Recording,
    Transcript,
    TranscriptionJob,
    clock,
)
from kollega.research.recruitment import windows

GET_POST = ["GET", "HEAD", "POST"]
researcher_only = role_required(RESEARCHER)

SPEAKER_NAMES = {
    "interviewer": gettext_lazy("Interviewer"),
    "participant": gettext_lazy("Participant"),
    "speaker": gettext_lazy("Speaker"),
}
KIND_NAMES = {
    "person": gettext_lazy("Names"),
    "place": gettext_lazy("Places"),
    "employer": gettext_lazy("Employers and health trusts"),
    "date": gettext_lazy("Dates"),
    "age": gettext_lazy("Ages"),
    "phone": gettext_lazy("Phone numbers"),
    "email": gettext_lazy("E-mail addresses"),
    "national_id": gettext_lazy("National identity numbers"),
    "address": gettext_lazy("Addresses"),
}
# Around each proposal, this many characters of context are shown.
CONTEXT_CHARS = 60
# The review page shows this many proposals at a time (a long transcript can hold thousands).
PROPOSALS_PER_PAGE = 100
SPLIT_MARK = "---"


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _form_page(
    request: HttpRequest, form: Any, *, heading: str, button: str, back: str
) -> HttpResponse:
    """A page holding one form; 400 when it comes back with errors."""
    return render(
        request,
        "research/form.html",
        {"form": form, "heading": heading, "button": button, "back": back},
        status=400 if form.errors else 200,
    )


def _refused(request: HttpRequest, exc: ActionRefused) -> None:
    messages.error(request, str(exc))


# --- Studies -------------------------------------------------------------------------------


@require_GET
@researcher_only
def studies(request: HttpRequest) -> HttpResponse:
    mine = studies_for_user(request.user).prefetch_related("participants")
    return render(request, "research/studies.html", {"studies": mine})


@require_http_methods(GET_POST)
@researcher_only
def study_new(request: HttpRequest) -> HttpResponse:
    form = forms.StudyNewForm(_posted(request), initial={"language": "nb"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        waves = forms.STANDARD_WAVES if data.pop("standard_waves") else []
        study = actions.do_create_study(
            request.user, **data, waves=[(str(name), a, b) for name, a, b in waves]
        )
        messages.success(request, _("The study is created."))
        return redirect("research:study", study.pk)
    return _form_page(
        request,
        form,
        heading=_("New study"),
        button=_("Create the study"),
        back=reverse("research:studies"),
    )


@require_GET
@researcher_only
def study(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_study_for_user(request.user, pk)
    form = forms.ParticipantForm(initial={"pseudonym": actions.next_pseudonym(found)})
    return _study_page(request, found, form)


def _study_page(
    request: HttpRequest, found: Any, form: forms.ParticipantForm, *, status: int = 200
) -> HttpResponse:
    participants = found.participants.prefetch_related(
        "interviews__recording", "interviews__transcript"
    )
    return render(
        request,
        "research/study.html",
        {"study": found, "participants": participants, "participant_form": form},
        status=status,
    )


@require_http_methods(GET_POST)
@researcher_only
def study_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_study_for_user(request.user, pk)
    initial = {
        "title": found.title,
        "aims": found.aims,
        "language": found.language,
        "researchers": list(found.researchers.all()),
    }
    form = forms.StudyEditForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_study(request.user, found, **form.cleaned_data)
        except ActionRefused as exc:
            form.add_error("researchers", str(exc))
        else:
            messages.success(request, _("The study is saved."))
            return redirect("research:study", found.pk)
    return _form_page(
        request,
        form,
        heading=_("Edit the study"),
        button=_("Save"),
        back=reverse("research:study", args=[found.pk]),
    )


# --- Participants --------------------------------------------------------------------------


@require_POST
@researcher_only
def participant_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_study_for_user(request.user, pk)
    form = forms.ParticipantForm(request.POST)
    if form.is_valid():
        try:
            participant = actions.do_add_participant(
                request.user, found, pseudonym=form.cleaned_data["pseudonym"]
            )
        except ActionRefused as exc:
            form.add_error("pseudonym", str(exc))
        else:
            messages.success(request, _("%s is added.") % participant.pseudonym)
            return redirect("research:participant", participant.pk)
    return _study_page(request, found, form, status=400)


@require_GET
@researcher_only
def participant(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_participant_for_user(request.user, pk)
    interviews = found.interviews.select_related("recording", "transcript", "wave")
    return render(
        request,
        "research/participant.html",
        {
            "participant": found,
            "interviews": interviews,
            "windows": windows(found, timezone.localdate()),
        },
    )


@require_http_methods(GET_POST)
@researcher_only
def participant_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_participant_for_user(request.user, pk)
    form = forms.WithdrawForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        study_pk = found.study_id
        counts = actions.do_withdraw_participant(request.user, found)
        messages.success(
            request,
            _(
                "%(pseudonym)s is withdrawn. Deleted: interviews (%(interviews)d), "
                "recordings (%(recordings)d) and transcripts (%(transcripts)d)."
            )
            % {"pseudonym": found.pseudonym, **counts},
        )
        return redirect("research:study", study_pk)
    return render(
        request,
        "core/confirm.html",
        {
            "form": form,
            "heading": _("Withdraw %s") % found.pseudonym,
            "explanation": _(
                "Withdrawal deletes this participant's interviews, recordings, transcripts and "
                "everything made from them, at once and for good. The audit log keeps only "
                "that it happened."
            ),
            "button": _("Withdraw and delete"),
            "danger": True,
            "back": reverse("research:participant", args=[found.pk]),
        },
        status=400 if form.errors else 200,
    )


# --- Interviews ----------------------------------------------------------------------------


@require_http_methods(GET_POST)
@researcher_only
def interview_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_participant_for_user(request.user, pk)
    first_open = next(
        (w.wave for w in windows(found, timezone.localdate()) if w.state == "open"), None
    )
    form = forms.InterviewForm(
        _posted(request),
        initial={"language": found.study.language, "wave": first_open},
        participant=found,
    )
    if request.method == "POST" and form.is_valid():
        interview = actions.do_create_interview(request.user, found, **form.cleaned_data)
        messages.success(request, _("The interview is added."))
        return redirect("research:interview", interview.pk)
    return _form_page(
        request,
        form,
        heading=_("New interview with %s") % found.pseudonym,
        button=_("Add the interview"),
        back=reverse("research:participant", args=[found.pk]),
    )


@require_http_methods(GET_POST)
@researcher_only
def interview_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interview = get_interview_for_user(request.user, pk)
    initial = {
        "kind": interview.kind,
        "scheduled_on": interview.scheduled_on,
        "language": interview.language,
        "wave": interview.wave,
    }
    form = forms.InterviewForm(_posted(request), initial=initial, participant=interview.participant)
    if request.method == "POST" and form.is_valid():
        actions.do_update_interview(request.user, interview, **form.cleaned_data)
        messages.success(request, _("The interview is saved."))
        return redirect("research:interview", interview.pk)
    return _form_page(
        request,
        form,
        heading=_("Edit the interview"),
        button=_("Save"),
        back=reverse("research:interview", args=[interview.pk]),
    )


def _interview_context(interview: Interview) -> dict[str, Any]:
    recording = Recording.objects.filter(interview=interview).first()
    transcript = Transcript.objects.filter(interview=interview).first()
    job = interview.transcription_jobs.first()
    return {
        "interview": interview,
        "participant": interview.participant,
        "recording": recording,
        "transcript": transcript,
        "job": job,
        "recording_form": forms.RecordingForm(),
        "transcribe_form": forms.TranscribeForm(),
        "import_form": forms.TranscriptImportForm(),
        "max_mb": settings.KOLLEGA_MAX_RECORDING_MB,
        "max_minutes": settings.KOLLEGA_MAX_RECORDING_MINUTES,
        "open_findings": transcript.findings.filter(decision=FindingDecision.PROPOSED).count()
        if transcript
        else 0,
        "has_times": transcript is not None and _cue_times(transcript.turns) is not None,
    }


@require_GET
@never_cache
@researcher_only
def interview(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_interview_for_user(request.user, pk)
    return render(request, "research/interview.html", _interview_context(found))


@require_POST
@researcher_only
def recording_upload(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_interview_for_user(request.user, pk)
    form = forms.RecordingForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.do_store_recording(request.user, found, form.cleaned_data["audio"])
        except ActionRefused as exc:
            form.add_error("audio", str(exc))
        else:
            messages.success(request, _("The recording is stored, encrypted."))
            return redirect("research:interview", found.pk)
    context = _interview_context(found) | {"recording_form": form}
    return render(request, "research/interview.html", context, status=400)


@require_POST
@researcher_only
def transcript_import(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_interview_for_user(request.user, pk)
    form = forms.TranscriptImportForm(request.POST, request.FILES)
    if form.is_valid():
        if Transcript.objects.filter(interview=found).exists() and not form.cleaned_data["replace"]:
            form.add_error(
                "replace", _("This interview already has a transcript. Tick the box to replace it.")
            )
        else:
            try:
                actions.do_import_transcript(
                    request.user, found, form.cleaned_data["transcript_file"]
                )
            except ActionRefused as exc:
                form.add_error("transcript_file", str(exc))
            else:
                messages.success(
                    request, _("The transcript is imported. Check the speakers and identifiers.")
                )
                return redirect("research:transcript", found.pk)
    context = _interview_context(found) | {"import_form": form}
    return render(request, "research/interview.html", context, status=400)


@require_http_methods(GET_POST)
@researcher_only
def recording_delete(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_interview_for_user(request.user, pk)
    form = forms.DeleteRecordingForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_delete_recording(request.user, found)
        except ActionRefused as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The recording is deleted."))
        return redirect("research:interview", found.pk)
    return render(
        request,
        "core/confirm.html",
        {
            "form": form,
            "heading": _("Delete the recording"),
            "explanation": _(
                "The audio file is deleted for good. The transcript, if there is one, stays."
            ),
            "button": _("Delete the recording"),
            "danger": True,
            "back": reverse("research:interview", args=[found.pk]),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD"])
@never_cache
@researcher_only
def recording_audio(request: HttpRequest, pk: int) -> HttpResponse:
    """The recording, decrypted as it is sent, for the study's researchers; answers byte
    ranges (206) so the player can seek without fetching the whole file."""
    found = get_interview_for_user(request.user, pk)
    stored = Recording.objects.filter(interview=found).first()
    if stored is None:
        raise Http404
    handle = stored.file.open("rb")
    try:
        reader = recordings.open_clear(handle)
        wanted = recordings.parse_range(request.headers.get("Range", ""), reader.size)
    except ValueError:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{reader.size}"
        return response
    except BaseException:
        handle.close()
        raise
    start, end = wanted if wanted is not None else (0, reader.size - 1)
    record(
        request.user,
        "research.recording.listen",
        stored,
        interview=found.pk,
        start=start,
        end=end,
    )
    kind = recordings.media_type(reader)
    if request.method == "HEAD":
        handle.close()
        body: Any = iter(())
    else:
        body = recordings.Stream(reader.read(start, end), handle)
    # Typed as HttpResponse only because role_required's signature asks for one.
    response = cast(
        HttpResponse,
        StreamingHttpResponse(body, status=206 if wanted else 200, content_type=kind),
    )
    response["Content-Length"] = str(max(0, end - start + 1))
    response["Accept-Ranges"] = "bytes"
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{reader.size}"
    return response


@require_POST
@researcher_only
def transcribe(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_interview_for_user(request.user, pk)
    form = forms.TranscribeForm(request.POST)
    form.is_valid()
    has_transcript = Transcript.objects.filter(interview=found).exists()
    if has_transcript and not form.cleaned_data.get("replace"):
        messages.error(
            request,
            _("This interview already has a transcript. Tick the box to replace it."),
        )
        return redirect("research:interview", found.pk)
    try:
        actions.do_start_transcription(request.user, found)
    except ActionRefused as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Transcription has started. You can leave this page; it goes on in the background."),
        )
    return redirect("research:interview", found.pk)


def _job_for(request: HttpRequest, pk: int) -> tuple[Interview, TranscriptionJob | None]:
    found = get_interview_for_user(request.user, pk)
    return found, found.transcription_jobs.first()


@require_GET
@never_cache
@researcher_only
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The transcription's progress as a fragment, polled by the interview page."""
    found, job = _job_for(request, pk)
    if request.headers.get("HX-Request") and (job is None or not job.active):
        # The job has ended while the page watched: reload it whole, so the transcript
        # section and the upload form show the new state too.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    transcript = Transcript.objects.filter(interview=found).first()
    return render(
        request, "research/job.html", {"interview": found, "job": job, "transcript": transcript}
    )


@require_POST
@researcher_only
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found, job = _job_for(request, pk)
    if job is None:
        messages.error(request, _("There is no transcription to cancel."))
        return redirect("research:interview", found.pk)
    try:
        actions.do_cancel_transcription(request.user, job)
    except ActionRefused as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The transcription is being cancelled; nothing of it is kept."))
    return redirect("research:interview", found.pk)


# --- Transcript editor ---------------------------------------------------------------------


def _speakers(transcript: Transcript) -> list[str]:
    return list(
        dict.fromkeys(["interviewer", "participant", *(t["speaker"] for t in transcript.turns)])
    )


def _split_turns(turns: list[dict[str, Any]], old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each edited turn its times back, and split at lines holding only ``---``:
    the words after the mark go to the other of interviewer and participant."""
    out: list[dict[str, Any]] = []
    for edited, before in zip(turns, old, strict=True):
        parts = _split_on_mark(edited["text"])
        speaker = edited["speaker"]
        for index, part in enumerate(parts):
            who = speaker if index % 2 == 0 else _other(speaker)
            out.append(
                {
                    "speaker": who,
                    "start": before.get("start") if index == 0 else None,
                    "end": before.get("end") if index == len(parts) - 1 else None,
                    "text": part,
                }
            )
    return out


def _split_on_mark(text: str) -> list[str]:
    parts: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip() == SPLIT_MARK:
            parts.append([])
        else:
            parts[-1].append(line)
    return ["\n".join(p) for p in parts]


def _other(speaker: str) -> str:
    return "participant" if speaker == "interviewer" else "interviewer"


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
        old = found.turns
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        if version != found.version:
            # Checked first: a colleague's save may have changed the turns this form shows.
            errors = [
                _(
                    "Someone saved this transcript after you opened it. Reload it and make "
                    "your changes again."
                )
            ]
            turns: list[dict[str, Any]] = []
        else:
            turns, errors = forms.parse_turns(request.POST, len(old), speakers)
        if not errors:
            try:
                changed = actions.do_save_transcript(
                    request.user, found, turns=_split_turns(turns, old), version=version
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
        record(request.user, "research.transcript.view", found, interview=interview.pk)
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
            "split_mark": SPLIT_MARK,
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
    rows = [
        {
            "index": i,
            "speaker": SPEAKER_NAMES.get(turn["speaker"], turn["speaker"]),
            "time": " - ".join(x for x in (clock(turn.get("start")), clock(turn.get("end"))) if x),
            "start": turn.get("start"),
            "start_clock": clock(turn.get("start")),
            "pieces": _marked(turn["text"], pattern),
        }
        for i, turn in enumerate(found.turns)
    ]
    if pattern is not None:
        rows = [row for row in rows if any(marked for _text, marked in row["pieces"])]
    # Whether a search was made is kept, never what was searched for (it may be a name).
    record(
        request.user, "research.transcript.view", found, interview=interview.pk, search=bool(query)
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


def _cue_times(turns: list[dict[str, Any]]) -> list[tuple[float, float]] | None:
    """Each turn's start and end for subtitles. A time lost by splitting a turn is the nearest
    known time before (for a start) or after (for an end), so the parts of a split turn span
    the turn they came from. None when some turn has no time to take (an imported text file)."""
    times = []
    for i, turn in enumerate(turns):
        start = turn.get("start")
        for before in reversed(turns[max(0, i - 2) : i]):
            if start is not None:
                break
            start = before.get("end") if before.get("end") is not None else before.get("start")
        end = turn.get("end")
        for after in turns[i + 1 : i + 3]:
            if end is not None:
                break
            end = after.get("start") if after.get("start") is not None else after.get("end")
        if start is None or end is None:
            return None
        times.append((float(start), max(float(start), float(end))))
    return times


@require_GET
@researcher_only
def transcript_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    from kollega.speech.formats import format_timestamp

    found = get_transcript_for_user(request.user, pk)
    if fmt not in ("txt", "vtt"):
        raise Http404
    turns = found.turns
    with translation.override(_DOWNLOAD_LANGUAGE.get(found.language, "en")):
        names = [str(SPEAKER_NAMES.get(t["speaker"], t["speaker"])) for t in turns]
    if fmt == "vtt":
        times = _cue_times(turns)
        if times is None:
            messages.error(
                request,
                _(
                    "This transcript has no times (it was imported from a file without them), "
                    "so it cannot be made into subtitles. Download it as text instead."
                ),
            )
            return redirect("research:interview", found.interview_id)
        body = "WEBVTT\n\n" + "".join(
            f"{format_timestamp(start)} --> {format_timestamp(end)}\n<v {name}>{t['text']}\n\n"
            for (start, end), name, t in zip(times, names, turns, strict=True)
        )
    else:
        # A time only where the turn has one: imported text files have none.
        body = (
            "\n\n".join(
                (f"[{format_timestamp(t['start'])[:8]}] " if t.get("start") is not None else "")
                + f"{name}: {t['text']}"
                for name, t in zip(names, turns, strict=True)
            )
            + "\n"
        )
    record(
        request.user,
        "research.transcript.download",
        found,
        format=fmt,
        deidentified=found.deidentified is not None,
    )
    name = f"{found.interview.participant.pseudonym}-{found.interview.pk}.{fmt}"
    response = HttpResponse(body, content_type="text/vtt" if fmt == "vtt" else "text/plain")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- De-identification ---------------------------------------------------------------------


def _kind_rank(kind: str) -> int:
    order = list(KIND_NAMES)
    return order.index(kind) if kind in order else 99


def _finding_groups(found: Transcript, text: str, page: Any) -> list[dict[str, Any]]:
    """The kinds of proposal on this page, each with its rows (context around each finding)
    and its counts over the whole transcript, so a page never holds more than one page's rows."""
    totals: dict[str, Counter[str]] = defaultdict(Counter)
    distinct: dict[str, set[str]] = defaultdict(set)
    # Offsets, not the stored (encrypted) words: the text at a proposal's offsets is its words.
    for kind, start, end, decision in found.findings.values_list(
        "kind", "start", "end", "decision"
    ):
        totals[kind]["all"] += 1
        totals[kind]["open"] += decision == FindingDecision.PROPOSED
        distinct[kind].add(text[start:end])
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in page:
        before = text[max(0, finding.start - CONTEXT_CHARS) : finding.start]
        after = text[finding.end : finding.end + CONTEXT_CHARS]
        groups[finding.kind].append(
            {
                "finding": finding,
                # The context stays inside the finding's own turn.
                "before": before.rpartition(TURN_SEPARATOR)[2],
                "after": after.partition(TURN_SEPARATOR)[0],
            }
        )
    return [
        {
            "kind": kind,
            "label": KIND_NAMES.get(kind, kind),
            "items": items,
            "total": totals[kind]["all"],
            "open": totals[kind]["open"],
            "distinct": len(distinct[kind]),
        }
        for kind, items in sorted(groups.items(), key=lambda kv: _kind_rank(kv[0]))
    ]


def _proposal_page(found: Transcript, number: Any) -> Any:
    """One page of the proposals, ordered by kind as the page groups them, then by place."""
    order = Case(
        *[When(kind=kind, then=Value(i)) for i, kind in enumerate(KIND_NAMES)],
        default=Value(99),
    )
    ordered = found.findings.order_by(order, "start", "pk")
    return Paginator(ordered, PROPOSALS_PER_PAGE).get_page(number)


@require_http_methods(GET_POST)
@never_cache
@researcher_only
def deidentify(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_transcript_for_user(request.user, pk)
    if request.method == "POST":
        decisions: dict[int, str] = {}
        for key, value in request.POST.items():
            if key.startswith("decision-"):
                try:
                    decisions[int(key.removeprefix("decision-"))] = str(value)
                except ValueError:
                    continue
        accept_kinds = [k for k in request.POST.getlist("accept_kind") if k in KIND_NAMES]
        try:
            actions.do_decide_findings(
                request.user, found, decisions=decisions, accept_kinds=accept_kinds
            )
        except ActionRefused as exc:
            _refused(request, exc)
        else:
            if request.POST.get("then") == "apply":
                return _apply(request, found)
            messages.success(request, _("Your decisions are saved."))
        # Turning the page saves this page's decisions first, then shows the page asked for.
        return redirect(_review_url(found, request.POST.get("goto") or request.POST.get("page")))
    record(request.user, "research.deid.view", found, interview=found.interview_id)
    return _deidentify_page(request, found, forms.MissedIdentifierForm())


def _review_url(found: Transcript, page: Any = None) -> str:
    url = reverse("research:deidentify", args=[found.interview_id])
    return f"{url}?page={page}" if str(page or "").isdigit() and str(page) != "1" else url


def _review_turns(found: Transcript) -> list[dict[str, Any]]:
    """The turns with the proposals marked, for reading and selecting what the rules missed.

    Each turn's marked text is built here as escaped HTML, once: a template loop over every
    piece costs seconds on a long transcript with thousands of proposals."""
    spans = sorted(found.findings.values_list("start", "end"))
    out = []
    offset = 0
    next_span = 0
    for turn in found.turns:
        turn_text = turn["text"]
        end = offset + len(turn_text)
        pieces: list[str] = []
        at = offset
        # One walk through the sorted spans for the whole transcript.
        while next_span < len(spans) and spans[next_span][0] < end:
            start, stop = spans[next_span]
            next_span += 1
            if start >= at and stop <= end:
                pieces.append(escape(turn_text[at - offset : start - offset]))
                pieces.append(f"<mark>{escape(turn_text[start - offset : stop - offset])}</mark>")
                at = stop
        pieces.append(escape(turn_text[at - offset :]))
        out.append(
            {
                "speaker": SPEAKER_NAMES.get(turn["speaker"], turn["speaker"]),
                "html": mark_safe("".join(pieces)),  # every piece is escaped above
            }
        )
        offset = end + len(TURN_SEPARATOR)
    return out


def _deidentify_page(
    request: HttpRequest, found: Transcript, missed_form: forms.MissedIdentifierForm
) -> HttpResponse:
    text = found.text
    page = _proposal_page(found, request.GET.get("page"))
    return render(
        request,
        "research/deidentify.html",
        {
            "transcript": found,
            "interview": found.interview,
            "participant": found.interview.participant,
            "groups": _finding_groups(found, text, page),
            "page": page,
            "decisions": FindingDecision.choices,
            "proposal_job": found.proposal_jobs.first(),
            "missed_form": missed_form,
            "review_turns": _review_turns(found) if found.proposals_made else [],
        },
        status=400 if missed_form.errors else 200,
    )


@require_POST
@researcher_only
def deidentify_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark words the rules missed as an identifier of the kind chosen."""
    found = get_transcript_for_user(request.user, pk)
    form = forms.MissedIdentifierForm(request.POST)
    if form.is_valid():
        try:
            count = actions.do_add_finding(
                request.user,
                found,
                words=form.cleaned_data["missed_text"],
                kind=form.cleaned_data["missed_kind"],
            )
        except ActionRefused as exc:
            form.add_error("missed_text", str(exc))
        else:
            messages.success(
                request,
                ngettext(
                    "Marked in %(count)d place, to be replaced.",
                    "Marked in %(count)d places, to be replaced.",
                    count,
                )
                % {"count": count},
            )
            return redirect("research:deidentify", found.interview_id)
    return _deidentify_page(request, found, form)


@require_GET
@never_cache
@researcher_only
def deidentify_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposals' progress as a fragment, polled by the review page."""
    found = get_transcript_for_user(request.user, pk)
    job = found.proposal_jobs.first()
    if request.headers.get("HX-Request") and (job is None or not job.active):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(
        request,
        "research/proposal_job.html",
        {"interview": found.interview, "proposal_job": job},
    )


def _apply(request: HttpRequest, found: Transcript) -> HttpResponse:
    try:
        counts = actions.do_apply_deidentification(request.user, found)
    except ActionRefused as exc:
        _refused(request, exc)
        return redirect("research:deidentify", found.interview_id)
    messages.success(
        request,
        ngettext(
            "The transcript is de-identified: %(count)d identifier was replaced.",
            "The transcript is de-identified: %(count)d identifiers were replaced.",
            sum(counts.values()),
        )
        % {"count": sum(counts.values())},
    )
    return redirect("research:transcript", found.interview_id)


@require_POST
@researcher_only
def deidentify_propose(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_transcript_for_user(request.user, pk)
    try:
        actions.do_propose_identifiers(request.user, found)
    except ActionRefused as exc:
        _refused(request, exc)
    else:
        messages.success(
            request,
            _("Looking for possible identifiers. You can leave this page; it goes on."),
        )
    return redirect("research:deidentify", found.interview_id)
