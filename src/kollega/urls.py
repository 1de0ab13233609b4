from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST
from django.views.i18n import set_language
from django_otp.admin import OTPAdminSite

from kollega.core.roles import is_verified
from kollega.research.views import seeker as seeker_views
from kollega.service.urls import urlpatterns as service_patterns


class KollegaAdminSite(OTPAdminSite):  # type: ignore[misc]  # django-otp ships no types
    """The Django admin, open only to administrators who signed in with a second factor."""

    site_header = "Kollega"
    site_title = "Kollega"

    def login(self, request: HttpRequest, extra_context: object = None) -> HttpResponse:
        # One sign-in page for all staff: the admin's own form would skip our throttled TOTP flow.
        if is_verified(request.user):
            raise PermissionDenied  # signed in properly, but not an administrator
        return redirect_to_login(request.GET.get("next") or request.path)


admin.site.__class__ = KollegaAdminSite

# With Redis, django_rq is installed for its worker command; its admin dashboard, a model with
# no table, is left out: its pages fail on that table, and the queue holds ids, not work to review.
if apps.is_installed("django_rq"):
    from django_rq.models import Dashboard

    if admin.site.is_registered(Dashboard):
        admin.site.unregister(Dashboard)

# Error pages in the site's layout and language (templates 400.html, 403.html, 404.html).
handler400 = "kollega.core.views.bad_request"
handler403 = "kollega.core.views.permission_denied"
handler404 = "kollega.core.views.page_not_found"
# Unhandled errors get a page that needs neither the database nor a session (500.html).
handler500 = "kollega.core.views.server_error"

# The seeker's answers to research live in research, above the service, but keep the addresses
# and names of the status page they belong to.
seeker_research = [
    path(
        "request/status/<str:token>/research/<int:pk>/",
        seeker_views.status_research,
        name="status_research",
    ),
    path(
        "request/status/<str:token>/research/withdraw/",
        seeker_views.status_research_withdraw,
        name="status_research_withdraw",
    ),
]

urlpatterns = [
    path("", include("kollega.core.urls")),
    path("staff/", include("kollega.accounts.urls")),
    path("", include((service_patterns + seeker_research, "service"))),
    path("research/", include("kollega.research.urls")),
    path("research/analyses/", include("kollega.workbench.urls")),
    path("statistics/", include("kollega.reports.urls")),
    path("stottekollega/", include("kollega.peers.urls")),
    path("i18n/setlang/", require_POST(set_language), name="set_language"),
    path(settings.ADMIN_PATH, admin.site.urls),
]
