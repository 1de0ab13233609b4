"""Running the service, for coordinators (and county leaders, for their counties' referral
places): settings, counsellors, counselling days and courses, the referral directory and the
feedback summary."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.audit import AuditAction, record
from kollega.core.roles import COORDINATOR, counties_of, has_role
from kollega.service import actions, choices, forms
from kollega.service.choices import EnrolmentStatus
from kollega.service.models import (
    ACTIVE_WORK_STATUSES,
    Case,
    CounsellorProfile,
    Enrolment,
    Feedback,
    Offering,
    ReferralPlace,
    ServiceSettings,
    Status,
    with_positions,
)
from kollega.service.views.common import GET_POST, coordinator_only, directory_keepers, posted

# Past counselling days and courses listed on the offerings page, latest first.
PAST_OFFERINGS_SHOWN = 20


# Counsellors on one page of the coordinator's list (a service may have hundreds).
COUNSELLORS_PAGE_SIZE = 50


@require_http_methods(GET_POST)
@coordinator_only
def service_settings(request: HttpRequest) -> HttpResponse:
    form = forms.ServiceSettingsForm(posted(request), instance=ServiceSettings.current())
    if request.method == "POST" and form.is_valid():
        actions.do_save_service_settings(request.user, form.save(commit=False))
        messages.success(request, _("The settings are saved."))
        return redirect("service:settings")
    return render(
        request,
        "service/settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_GET
@coordinator_only
def counsellors(request: HttpRequest) -> HttpResponse:
    """The counsellors a page at a time, with the load of the page's counsellors counted in one
    query (counting every counsellor's cases before paging read the whole case history)."""
    profiles = (
        CounsellorProfile.objects.select_related("user")
        # The list never shows the conflicts; the encrypted one would be decrypted per row.
        .defer("conflict_people", "conflict_employers")
        .order_by("user__first_name", "user__last_name", "pk")
    )
    page = Paginator(profiles, COUNSELLORS_PAGE_SIZE).get_page(request.GET.get("page"))
    loads = dict(
        Case.objects.filter(
            counsellor__in=[profile.pk for profile in page],
            status__in=[Status.PROPOSED, *ACTIVE_WORK_STATUSES],
        )
        .values("counsellor")
        .annotate(n=Count("pk"))
        .values_list("counsellor", "n")
    )
    # Labels looked up once per page: get_FOO_display() translates every choice on each call.
    regions, specialties = dict(choices.Region.choices), dict(choices.Specialty.choices)
    languages = dict(choices.Language.choices)
    for profile in page:
        profile.load = loads.get(profile.pk, 0)  # type: ignore[attr-defined]
        profile.region_label = regions.get(profile.region, profile.region)  # type: ignore[attr-defined]
        profile.specialty_label = specialties.get(profile.specialty, profile.specialty)  # type: ignore[attr-defined]
        profile.language_list = ", ".join(str(languages.get(c, c)) for c in profile.languages)  # type: ignore[attr-defined]
    return render(request, "service/counsellors.html", {"page": page})


@require_http_methods(GET_POST)
@coordinator_only
def counsellor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    profile = get_object_or_404(CounsellorProfile, pk=pk) if pk is not None else None
    form_class = forms.CounsellorProfileForm if profile else forms.NewCounsellorForm
    form = form_class(posted(request), instance=profile)
    if request.method == "POST" and form.is_valid():
        actions.do_save_counsellor_profile(request.user, form.save(commit=False))
        messages.success(request, _("The counsellor profile is saved."))
        return redirect("service:counsellors")
    heading = str(profile) if profile else _("New counsellor profile")
    return render(
        request,
        "service/profile_form.html",
        {"form": form, "heading": heading, "profile": profile},
        status=400 if form.errors else 200,
    )


@require_GET
@coordinator_only
def offerings(request: HttpRequest) -> HttpResponse:
    items = Offering.objects.annotate(
        placed=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.PLACED)),
        waiting_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITING)),
    )
    # What is still to come first, soonest first; of the past only the latest, so that years
    # of courses neither push the coming ones down the page nor make it slow.
    now = timezone.now()
    past = items.filter(starts__lt=now)
    return render(
        request,
        "service/offerings.html",
        {
            "offerings": items.filter(starts__gte=now).order_by("starts", "pk"),
            "past": past.order_by("-starts", "-pk")[:PAST_OFFERINGS_SHOWN],
            "past_count": past.count(),
        },
    )


@require_http_methods(GET_POST)
@coordinator_only
def offering_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    offering = get_object_or_404(Offering, pk=pk) if pk is not None else None
    form = forms.OfferingForm(posted(request), instance=offering)
    if request.method == "POST" and form.is_valid():
        saved = actions.do_save_offering(request.user, form.save(commit=False))
        messages.success(request, _("The offering is saved."))
        return redirect("service:offering", saved.pk)
    enrolments = (
        with_positions(
            list(
                offering.enrolments.select_related("case")
                .only("offering_id", "status", "created", "case__reference")
                .order_by("status", "created")
            )
        )
        if offering
        else []
    )
    return render(
        request,
        "service/offering.html",
        {"form": form, "offering": offering, "enrolments": enrolments},
        status=400 if form.errors else 200,
    )


@require_POST
@coordinator_only
def enrolment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(Enrolment, pk=pk)
    offering_pk = enrolment.offering_id
    placed = enrolment.status == EnrolmentStatus.PLACED
    reference = {"reference": enrolment.case.reference}
    actions.do_remove_enrolment(request.user, enrolment)
    done = (
        _("%(reference)s no longer has a place; the next on the waiting list moves up.")
        if placed
        else _("%(reference)s is off the waiting list.")
    )
    messages.success(request, done % reference)
    return redirect("service:offering", offering_pk)


@require_GET
@coordinator_only
def feedback_summary(request: HttpRequest) -> HttpResponse:
    summary = Feedback.objects.aggregate(
        count=Count("pk"),
        average=Avg("helpfulness"),
        recommend=Count("pk", filter=Q(would_recommend=True)),
    )
    comments = [f for f in Feedback.objects.exclude(comment="")[:50] if f.comment]
    record(request.user, AuditAction.SERVICE_FEEDBACK_VIEW)
    return render(
        request, "service/feedback_summary.html", {"summary": summary, "comments": comments}
    )


def _directory_counties(user: Any) -> set[str] | None:
    """The counties whose entries `user` keeps: None (all) for a coordinator, else the
    counties a county leader leads."""
    return None if has_role(user, COORDINATOR) else counties_of(user)


def _kept_places(user: Any) -> QuerySet[ReferralPlace]:
    counties = _directory_counties(user)
    places = ReferralPlace.objects.all()
    return places if counties is None else places.filter(region__in=counties)


@require_GET
@directory_keepers
def directory(request: HttpRequest) -> HttpResponse:
    county = request.GET.get("county", "")
    places = _kept_places(request.user)
    if county in choices.Region.values:
        places = places.filter(Q(region=county) | Q(region=""))
    return render(
        request,
        "service/directory.html",
        {
            "places": places,
            "county": county,
            "counties": choices.Region.choices,
        },
    )


@require_http_methods(GET_POST)
@directory_keepers
def directory_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    # A county leader asking for another county's entry is told it does not exist.
    place = get_object_or_404(_kept_places(request.user), pk=pk) if pk is not None else None
    form = forms.ReferralPlaceForm(
        posted(request), instance=place, counties=_directory_counties(request.user)
    )
    if request.method == "POST" and form.is_valid():
        actions.do_save_referral_place(request.user, form.save(commit=False))
        messages.success(request, _("The directory entry is saved."))
        return redirect("service:directory")
    return render(
        request,
        "service/directory_entry.html",
        {"form": form, "place": place},
        status=400 if form.errors else 200,
    )


@require_POST
@directory_keepers
def directory_delete(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(_kept_places(request.user), pk=pk)
    actions.do_delete_referral_place(request.user, place)
    messages.success(request, _("The entry is removed; past referrals to it are kept."))
    return redirect("service:directory")
