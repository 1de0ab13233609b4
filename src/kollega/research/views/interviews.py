"""Pages for an interview: its recording, the player's audio and the transcription job."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.research import actions, forms, recordings
from kollega.research.access import get_interview_for_user, get_participant_for_user
from kollega.research.models import (
    FindingDecision,
    Interview,
    Recording,
    Transcript,
    TranscriptionJob,
)
from kollega.research.recruitment import windows
from kollega.research.views.base import GET_POST, form_page, posted, refused, researcher_only
from kollega.speech.formats import cue_times


@require_http_methods(GET_POST)
@researcher_only
def interview_new(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_participant_for_user(request.user, pk)
    first_open = next(
        (w.wave for w in windows(found, timezone.localdate()) if w.state == "open"), None
    )
    form = forms.InterviewForm(
        posted(request),
        initial={"language": found.study.language, "wave": first_open},
        participant=found,
    )
    if request.method == "POST" and form.is_valid():
        interview = actions.do_create_interview(request.user, found, **form.cleaned_data)
        messages.success(request, _("The interview is added."))
        return redirect("research:interview", interview.pk)
    return form_page(
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
    form = forms.InterviewForm(posted(request), initial=initial, participant=interview.participant)
    if request.method == "POST" and form.is_valid():
        actions.do_update_interview(request.user, interview, **form.cleaned_data)
        messages.success(request, _("The interview is saved."))
        return redirect("research:interview", interview.pk)
    return form_page(
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
        "has_times": transcript is not None and cue_times(transcript.turns) is not None,
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
    form = forms.DeleteRecordingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_delete_recording(request.user, found)
        except ActionRefused as exc:
            refused(request, exc)
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
        AuditAction.RESEARCH_RECORDING_LISTEN,
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
        refused(request, exc)
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
        refused(request, exc)
    else:
        messages.success(request, _("The transcription is being cancelled; nothing of it is kept."))
    return redirect("research:interview", found.pk)
