"""Search across the transcripts, meaning units made of the results, and retrieval of what is
coded to a code group (on the page and as .docx and .csv).

The search runs on the decrypted texts inside the request: no index of transcript words is
kept anywhere. Audit rows record counts, never the words searched for.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import results
from kollega.workbench.access import get_analysis_for_user
from kollega.workbench.actions import search as found
from kollega.workbench.models import Analysis, CodeGroup
from kollega.workbench.views.common import researcher_only

MAX_QUERY = 200
EXTENTS = ("sentence", "match")
RETRIEVAL_FORMATS = ("docx", "csv")


def place_url(analysis: int, transcript: int, start: int, end: int) -> str:
    """The coding page of a transcript version, scrolled to ``[start, end)`` highlighted."""
    return f"{reverse('workbench:coding', args=[analysis, transcript])}?at={start}-{end}#at"


@require_GET
@researcher_only
def search(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    chosen = request.GET.get("attr", "")
    extent = request.GET.get("extent", "sentence")
    versions = found.search_versions(analysis)
    attributes = found.participant_attributes(versions)
    choices = found.attribute_choices(attributes)
    context = {
        "analysis": analysis,
        "step": "search",
        "versions": versions[:1],
        "query": query,
        "choices": choices,
        "chosen": chosen,
        "extent": extent if extent in EXTENTS else "sentence",
        "searched": False,
    }
    if query:
        only = None
        if chosen:
            if chosen not in dict(choices):
                context["error"] = _("Choose a participant attribute from the list.")
                return render(request, "workbench/search.html", context, status=400)
            name, _sep, value = chosen.partition("=")
            only = {t for t, a in attributes.items() if a.get(name) == value}
        began = time.perf_counter()
        hits, total = found.search(versions, query, only=only)
        took = time.perf_counter() - began
        record(
            request.user,
            AuditAction.WORKBENCH_SEARCH,
            analysis,
            results=total,
            filtered=bool(chosen),
        )
        context |= {
            "searched": True,
            "results": [
                {"result": r, "url": place_url(analysis.pk, r.transcript, r.start, r.end)}
                for r in hits
            ],
            "total": total,
            "took_ms": round(took * 1000),
            "back": urlencode({"q": query, "attr": chosen}),
        }
    return render(request, "workbench/search.html", context)


@require_POST
@researcher_only
def search_units(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    back = urlencode(
        {
            "q": request.POST.get("q", "")[:MAX_QUERY],
            "attr": request.POST.get("attr", ""),
            "extent": request.POST.get("extent", ""),
        }
    )
    try:
        chosen = found.parse_results(request.POST.getlist("result"))
        made, skipped = found.do_make_units_from_results(
            request.user,
            analysis,
            chosen,
            sentence=request.POST.get("extent", "sentence") != "match",
        )
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        done = ngettext("%(made)d meaning unit made", "%(made)d meaning units made", made) % {
            "made": made
        }
        if skipped:
            done += "; " + ngettext(
                "%(skipped)d skipped: you already have a unit of exactly those words.",
                "%(skipped)d skipped: you already have units of exactly those words.",
                skipped,
            ) % {"skipped": skipped}
        else:
            done += "."
        messages.success(request, done)
    return redirect(f"{reverse('workbench:search', args=[analysis.pk])}?{back}")


def _group(request: StaffRequest, pk: int, group: int) -> tuple[Analysis, CodeGroup]:
    analysis = get_analysis_for_user(request.user, pk)
    target: CodeGroup = get_object_or_404(
        CodeGroup.objects.select_related("analysis"), pk=group, analysis=analysis
    )
    return analysis, target


@require_GET
@researcher_only
def retrieval(request: StaffRequest, pk: int, group: int) -> HttpResponse:
    analysis, target = _group(request, pk, group)
    passages = found.retrieve(request.user, target)
    record(
        request.user,
        AuditAction.WORKBENCH_RETRIEVAL_VIEW,
        target,
        analysis=analysis.pk,
        passages=len(passages),
    )
    return render(
        request,
        "workbench/retrieval.html",
        {
            "analysis": analysis,
            "step": "retrieval",
            "versions": list(analysis.transcripts.filter(current=True)[:1]),
            "group": target,
            "groups": found.group_with_children(target),
            "passages": [
                {
                    "passage": p,
                    "url": place_url(analysis.pk, p.transcript, p.start, p.end)
                    if p.current
                    else "",
                }
                for p in passages
            ],
        },
    )


def retrieval_table(group: CodeGroup, passages: list[found.Passage]) -> results.Table:
    """The passages as one results table (for .docx and .csv)."""
    return results.Table(
        "retrieval",
        _("All text coded to %(group)s") % {"group": group.name},
        [_("code group"), _("participant"), _("start"), _("end"), _("text")],
        [[p.group, p.pseudonym, str(p.start), str(p.end), p.text] for p in passages],
        _("Offsets are characters into each transcript version."),
    )


@require_GET
@researcher_only
def retrieval_download(request: StaffRequest, pk: int, group: int, fmt: str) -> HttpResponse:
    analysis, target = _group(request, pk, group)
    if fmt not in RETRIEVAL_FORMATS:
        raise Http404
    passages = found.retrieve(request.user, target)
    table = retrieval_table(target, passages)
    if fmt == "csv":
        body, content_type = results.to_csv(table), "text/csv; charset=utf-8"
    else:
        body = results.to_docx(
            f"{analysis.name}: {target.name}", [table], author=settings.KOLLEGA_ORGANISATION
        )
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    record(
        request.user,
        AuditAction.WORKBENCH_RETRIEVAL_DOWNLOAD,
        target,
        analysis=analysis.pk,
        format=fmt,
        passages=len(passages),
    )
    name = f"{slugify(analysis.name) or 'analysis'}-{slugify(target.name) or 'group'}.{fmt}"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
