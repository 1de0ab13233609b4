from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login

from kollega.accounts.actions import do_logout_everywhere
from kollega.accounts.forms import StaffLoginForm
from kollega.core.audit import AuditAction, record
from kollega.core.navigation import home_links_for
from kollega.core.roles import is_verified, roles_of


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("accounts:home")


@sensitive_post_parameters("password", "otp_token")
@csrf_protect
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if is_verified(request.user) and request.method != "POST":
        return redirect(_safe_next(request))
    form = StaffLoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        otp_login(request, form.device)
        record(form.user, AuditAction.ACCOUNTS_LOGIN, form.user)
        return redirect(_safe_next(request))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(request.user, AuditAction.ACCOUNTS_LOGOUT, request.user)
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("accounts:login")


@login_required
@require_POST
def logout_everywhere_view(request: HttpRequest) -> HttpResponse:
    do_logout_everywhere(request.user)  # type: ignore[arg-type]
    logout(request)
    messages.success(request, _("You are signed out in every browser and on every device."))
    return redirect("accounts:login")


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if not is_verified(request.user):
        logout(request)
        return redirect("accounts:login")
    return render(
        request,
        "accounts/home.html",
        {"roles": sorted(roles_of(request.user)), "role_links": home_links_for(request.user)},
    )
