"""Background tasks of the research app.

The actions queue these tasks and the tasks call the actions and the workers, so each side
imports the other's modules and looks a name up only when it runs: then no order of loading
meets a half-loaded module.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from kollega.research import proposing, transcription
from kollega.research.actions import jobs, windows
from kollega.research.models import Study


@task()
def transcribe_interview(job_id: int) -> str:
    """Transcribe an interview's recording locally; returns the job's final status."""
    return transcription.run_transcription(job_id)


@task()
def resume_stalled_transcriptions() -> int:
    """Queue again the transcriptions whose worker died; returns how many."""
    return jobs.do_resume_stalled_jobs()


@task()
def propose_identifiers_in_background(job_id: int) -> str:
    """Find possible identifiers in a transcript; returns the job's final status."""
    return proposing.run_proposals(job_id)


@task()
def exclude_lapsed() -> int:
    """Exclude participants whose wave window closed with no interview; returns how many."""
    return windows.run_exclusions()


@task()
def warn_closing_windows() -> int:
    """E-mail researchers about windows about to close with no interview booked."""
    return windows.run_window_notices()


@task()
def tell_windows_closing(study_id: int, count: int, first_closes: str) -> int:
    """Send the study's researchers a content-free e-mail: how many windows close, from when,
    and where to look. Their addresses are read here, in the worker. Returns e-mails sent."""
    study = Study.objects.filter(pk=study_id).first()
    if study is None:
        return 0
    addresses = sorted({u.email for u in study.researchers.filter(is_active=True) if u.email})
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Interview windows close soon")
        body = ngettext(
            "%(count)d participant's interview window closes on %(date)s with no interview "
            "booked. Sign in to see who: %(url)s",
            "%(count)d participants' interview windows close from %(date)s with no interview "
            "booked. Sign in to see who: %(url)s",
            count,
        ) % {
            "count": count,
            "date": first_closes,
            "url": settings.SITE_URL + reverse("research:recruitment", args=[study_id]),
        }
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses, fail_silently=False)
