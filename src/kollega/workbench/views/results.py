"""Results and exchange pages: the report's downloads, .qdpx and .qdc export and import.

Every download and import is audited. Uploads are read from a temporary file that is
deleted at once; a file that cannot be read is refused with the reason and changes nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.accounts.http import StaffRequest
from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.workbench import actions, adapters, exchange, forms
from kollega.workbench.access import get_analysis_for_user
from kollega.workbench.models import Analysis
from kollega.workbench.views.common import GET_POST, researcher_only

FORMATS = ("docx", "md", "csv")
NAMES = ("report", "steps", "results", "participants", "coreq")
MAX_IMPORT_BYTES = 200 * 1024 * 1024


def _saved(upload: Any, suffix: str) -> Path:
    """The upload in a temporary file of this process (the caller deletes it)."""
    if upload.size > MAX_IMPORT_BYTES:
        raise ActionRefused(_("The file is larger than 200 MB."))
    if not upload.name.lower().endswith(suffix):
        raise ActionRefused(_("Choose a %(suffix)s file.") % {"suffix": suffix})
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)  # noqa: SIM115 - closed below
    with handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return Path(handle.name)


def _file_name(analysis: Analysis, name: str, fmt: str) -> str:
    return f"{slugify(analysis.name) or 'analysis'}-{name}.{fmt}"


def _attachment(body: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


@require_GET
@never_cache
@researcher_only
def results(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    # The page shows two small tables; the downloads are built only when asked for.
    tables, _sections = exchange.report(analysis, ("steps", "coreq"), sections=False)
    record(request.user, AuditAction.WORKBENCH_RESULTS_VIEW, analysis)
    return render(
        request,
        "workbench/results.html",
        {
            "analysis": analysis,
            "step": 6,
            "versions": list(analysis.transcripts.filter(current=True)[:1]),
            "tables": {t.key: t for t in tables},
            "downloads": [
                (_("The whole report"), "report", ("docx", "md")),
                (_("STC steps"), "steps", FORMATS),
                (_("Results: categories, code groups, condensates and quotes"), "results", FORMATS),
                (_("Participant characteristics"), "participants", FORMATS),
                (_("COREQ checklist"), "coreq", FORMATS),
            ],
            "qdc_form": forms.QdcImportForm(),
        },
    )


@require_GET
@researcher_only
def download(request: StaffRequest, pk: int, name: str, fmt: str) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    if name not in NAMES or fmt not in FORMATS or (name == "report" and fmt == "csv"):
        raise Http404
    body, content_type = exchange.render_download(analysis, name, fmt)
    record(request.user, AuditAction.WORKBENCH_RESULTS_DOWNLOAD, analysis, table=name, format=fmt)
    return _attachment(body, content_type, _file_name(analysis, name, fmt))


@require_GET
@researcher_only
def export_qdpx(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "analysis.qdpx"
        adapters.write_qdpx(analysis, path)
        body = path.read_bytes()
    record(request.user, AuditAction.WORKBENCH_RESULTS_DOWNLOAD, analysis, format="qdpx")
    return _attachment(body, "application/zip", f"{slugify(analysis.name) or 'analysis'}.qdpx")


@require_GET
@researcher_only
def export_qdc(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "codebook.qdc"
        try:
            adapters.write_qdc(analysis, path)
        except adapters.ExchangeError:
            messages.error(request, _("The analysis has no code groups to export yet."))
            return redirect("workbench:results", analysis.pk)
        body = path.read_bytes()
    record(request.user, AuditAction.WORKBENCH_RESULTS_DOWNLOAD, analysis, format="qdc")
    return _attachment(
        body, "application/xml", f"{slugify(analysis.name) or 'analysis'}-codebook.qdc"
    )


@require_POST
@researcher_only
def import_qdc(request: StaffRequest, pk: int) -> HttpResponse:
    analysis = get_analysis_for_user(request.user, pk)
    form = forms.QdcImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a .qdc file to import."))
        return redirect("workbench:results", analysis.pk)
    try:
        path = _saved(form.cleaned_data["file"], ".qdc")
        try:
            made = actions.do_import_qdc(request.user, analysis, path)
        finally:
            path.unlink(missing_ok=True)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Codebook imported: %(groups)d new code groups, %(categories)d new categories.")
            % {"groups": made["code_groups"], "categories": made["categories"]},
        )
    return redirect("workbench:results", analysis.pk)


@require_http_methods(GET_POST)
@researcher_only
def import_qdpx(request: StaffRequest) -> HttpResponse:
    posted = request.method == "POST"
    # Opened from an analysis's results page, the form proposes that analysis's study.
    study = request.GET.get("study", "")
    form = forms.QdpxImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        user=request.user,
        initial={"study": int(study)} if study.isdigit() else {},
    )
    if posted and form.is_valid():
        try:
            path = _saved(form.cleaned_data["file"], ".qdpx")
            try:
                analysis, made = actions.do_import_qdpx(
                    request.user,
                    form.cleaned_data["study"],
                    path,
                    name=form.cleaned_data["name"],
                    deidentified=form.cleaned_data["deidentified"],
                )
            finally:
                path.unlink(missing_ok=True)
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "Imported: %(transcripts)d transcripts, %(units)d meaning units, "
                    "%(participants)d new participants."
                )
                % made,
            )
            return redirect("workbench:results", analysis.pk)
    return render(
        request,
        "workbench/import_qdpx.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
