"""The collegial support scheme's pages: the public list, the counsellor's listing and
registered contacts, and the county leader's pages (scoped to the counties they lead)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.audit import AuditAction, record
from kollega.core.errors import ActionRefused
from kollega.core.roles import COORDINATOR, COUNSELLOR, COUNTY_LEADER, role_required
from kollega.core.statistics import PeriodForm
from kollega.peers import actions, documents, forms, stats
from kollega.peers.access import (
    counties_for,
    get_county_for_user,
    get_registration_for_user,
    own_profile,
)
from kollega.peers.listing import listing_items
from kollega.peers.models import Channel, Listing, Registration, Settlement
from kollega.service import choices
from kollega.service.models import CounsellorProfile

GET_POST = ["GET", "HEAD", "POST"]
counsellor_only = role_required(COUNSELLOR)
county_staff = role_required(COUNTY_LEADER, COORDINATOR)


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


# The public list ---------------------------------------------------------------------------


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Approved listings, by county or all; no sign-in, no cookie, nothing recorded.

    One query whatever the number listed: the page reads only the approved copies.
    """
    form = forms.CountyFilterForm(request.GET or None)
    county = form.cleaned_data["county"] if form.is_bound and form.is_valid() else ""
    today = timezone.localdate()
    shown = Listing.objects.filter(
        listed=True,
        hidden=False,
        published__isnull=False,
        profile__user__is_active=True,
    ).filter(Q(profile__away_until__isnull=True) | Q(profile__away_until__lt=today))
    if county:
        shown = shown.filter(county=county)
    regions = dict(choices.Region.choices)
    languages = dict(choices.Language.choices)
    entries = [
        {
            **published,
            "county": str(regions.get(code, code)),
            "languages": ", ".join(
                str(languages.get(lang, lang)) for lang in published["languages"]
            ),
        }
        for published, code in shown.values_list("published", "county")
        if published is not None  # never, by the filter; for the type checker
    ]
    entries.sort(key=lambda entry: (entry["county"], entry["name"].lower()))
    return render(
        request,
        "peers/public_list.html",
        {
            "form": form,
            "count": len(entries),
            "entries": listing_items(entries),
            "county": regions.get(county, ""),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# The counsellor ----------------------------------------------------------------------------


@require_http_methods(GET_POST)
@counsellor_only
def my_listing(request: HttpRequest) -> HttpResponse:
    profile = own_profile(request.user)
    listing = actions.listing_of(profile)
    if listing.pk is None:  # a first listing starts from the profile
        listing.name = profile.user.get_full_name()
        listing.workplace = profile.employer
        listing.email = profile.user.email
    form = forms.ListingForm(_posted(request), instance=listing)
    if request.method == "POST" and form.is_valid():
        actions.do_save_listing(request.user, form.save(commit=False))
        messages.success(request, _("Your listing is saved."))
        return redirect("peers:my_listing")
    return render(
        request,
        "peers/my_listing.html",
        {"form": form, "listing": listing, "profile": profile, "today": timezone.localdate()},
        status=400 if form.errors else 200,
    )


@require_GET
@counsellor_only
def contacts(request: HttpRequest) -> HttpResponse:
    profile = own_profile(request.user)
    registrations = list(profile.registrations.all()[:200])
    return render(request, "peers/contacts.html", {"registrations": registrations})


def _registration_form(request: HttpRequest, registration: Registration | None) -> HttpResponse:
    profile = own_profile(request.user)
    initial = forms.RegistrationForm.initial_for(registration) if registration else None
    form = forms.RegistrationForm(_posted(request), initial=initial, region=profile.region)
    if request.method == "POST" and form.is_valid():
        try:
            if registration is None:
                actions.do_register_contact(
                    request.user, profile, dates=form.cleaned_data["dates"], **form.values()
                )
            else:
                actions.do_change_registration(
                    request.user, registration, dates=form.cleaned_data["dates"], **form.values()
                )
        except ActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The contact is registered."))
            return redirect("peers:contacts")
    return render(
        request,
        "peers/contact_form.html",
        {"form": form, "registration": registration},
        status=400 if form.errors else 200,
    )


@require_http_methods(GET_POST)
@counsellor_only
def contact_new(request: HttpRequest) -> HttpResponse:
    return _registration_form(request, None)


@require_http_methods(GET_POST)
@counsellor_only
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_registration_for_user(request.user, pk)
    if registration.settled:
        return render(
            request, "peers/contact_settled.html", {"registration": registration}, status=409
        )
    return _registration_form(request, registration)


# The county leader and the national coordinator ------------------------------------------


@require_GET
@county_staff
def counties(request: HttpRequest) -> HttpResponse:
    mine = counties_for(request.user)
    waiting = dict(
        Listing.objects.filter(listed=True, profile__region__in=mine)
        .filter(Q(published__isnull=True) | Q(changed_since_approval=True))
        .values("profile__region")
        .annotate(n=Count("pk"))
        .values_list("profile__region", "n")
    )
    regions = dict(choices.Region.choices)
    return render(
        request,
        "peers/counties.html",
        {"counties": [(code, regions[code], waiting.get(code, 0)) for code in mine]},
    )


@require_GET
@county_staff
def county(request: HttpRequest, county: str) -> HttpResponse:
    county = get_county_for_user(request.user, county)
    profiles = list(
        CounsellorProfile.objects.filter(region=county, user__is_active=True)
        .select_related("user", "listing")
        .defer("conflict_people", "conflict_employers")
    )
    unsettled = _dates_by_counsellor(county)
    settlements = Settlement.objects.filter(county=county).select_related("counsellor__user")[:50]
    return render(
        request,
        "peers/county.html",
        {
            "county": county,
            "county_name": dict(choices.Region.choices)[county],
            "rows": [
                (
                    profile,
                    len(unsettled.get(profile.pk, [])),
                    sum(len(dates) for dates in unsettled.get(profile.pk, [])),
                )
                for profile in profiles
            ],
            "waiting": [
                profile.listing
                for profile in profiles
                if hasattr(profile, "listing") and profile.listing.awaits_approval
            ],
            "settlements": settlements,
            "totals": Settlement.objects.filter(county=county).aggregate(
                conversations=Sum("conversations"), amount=Sum("amount")
            ),
        },
    )


def _dates_by_counsellor(county: str) -> dict[int, list[list[str]]]:
    """{counsellor: [dates of each unsettled registration]} for the county; one query."""
    found: dict[int, list[list[str]]] = {}
    for pk, dates in Registration.objects.filter(
        counsellor__region=county, settlement__isnull=True
    ).values_list("counsellor", "dates"):
        found.setdefault(pk, []).append(dates)
    return found


@require_POST
@county_staff
def listing_approve(request: HttpRequest, county: str, pk: int) -> HttpResponse:
    county = get_county_for_user(request.user, county)
    listing = get_object_or_404(Listing, pk=pk, profile__region=county)
    try:
        actions.do_approve_listing(request.user, listing)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The listing is on the public list."))
    return redirect("peers:county", county=county)


@require_http_methods(GET_POST)
@county_staff
def settle(request: HttpRequest, county: str, pk: int) -> HttpResponse:
    county = get_county_for_user(request.user, county)
    profile = get_object_or_404(
        CounsellorProfile.objects.select_related("user"), pk=pk, region=county
    )
    data = request.POST if request.method == "POST" else (request.GET or forms.last_month())
    form = forms.SettlementPeriodForm(data)
    period = form.chosen() if form.is_valid() else None
    covered = actions.pending_for(profile, period) if period else []
    if request.method == "POST" and period is not None:
        try:
            settlement = actions.do_approve_settlement(request.user, profile, period)
        except ActionRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("The settlement is approved."))
            return redirect("peers:settlement", county=county, pk=settlement.pk)
    conversations = sum(registration.conversations for registration in covered)
    rate = actions.settlement_rate()
    return render(
        request,
        "peers/settle.html",
        {
            "county": county,
            "profile": profile,
            "form": form,
            "covered": covered,
            "conversations": conversations,
            "rate": rate,
            "amount": Settlement.amount_for(conversations, rate),
        },
        status=400 if form.errors else 200,
    )


def _settlement(request: HttpRequest, county: str, pk: int) -> Settlement:
    county = get_county_for_user(request.user, county)
    return get_object_or_404(
        Settlement.objects.select_related("counsellor__user", "approved_by"), pk=pk, county=county
    )


@require_GET
@county_staff
def settlement(request: HttpRequest, county: str, pk: int) -> HttpResponse:
    found = _settlement(request, county, pk)
    return render(request, "peers/settlement.html", {"settlement": found, "county": county})


@require_GET
@county_staff
def settlement_csv(request: HttpRequest, county: str, pk: int) -> HttpResponse:
    found = _settlement(request, county, pk)
    record(request.user, AuditAction.PEERS_SETTLEMENT_EXPORT, found, format="csv")
    response = HttpResponse(documents.settlement_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="settlement-{found.pk}.csv"'
    return response


@require_GET
@county_staff
def settlement_docx(request: HttpRequest, county: str, pk: int) -> HttpResponse:
    found = _settlement(request, county, pk)
    record(request.user, AuditAction.PEERS_SETTLEMENT_EXPORT, found, format="docx")
    response = HttpResponse(
        documents.settlement_docx(found),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f'attachment; filename="settlement-{found.pk}.docx"'
    return response


@require_GET
@county_staff
def county_statistics(request: HttpRequest, county: str) -> HttpResponse:
    county = get_county_for_user(request.user, county)
    form = PeriodForm(request.GET if request.GET else None)
    period = form.period()
    record(request.user, AuditAction.PEERS_STATISTICS_VIEW, county=county)
    return render(
        request,
        "peers/statistics.html",
        {
            "county": county,
            "county_name": dict(choices.Region.choices)[county],
            "form": form,
            "period": period,
            "tables": stats.build(county, period),
            "channels": Channel,
        },
        status=400 if form.errors else 200,
    )
