from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How stale the statistics may be: the scheduler rebuilds the monthly counts this often.
REFRESH_MINUTES = 15


class ReportsConfig(AppConfig):
    name = "kollega.reports"
    label = "reports"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        # Here, not at the top: these reach models (and django.contrib.auth's), which cannot
        # be imported while the app registry is still loading this module.
        from kollega.core import roles
        from kollega.core.navigation import register_home_link
        from kollega.core.schedule import register_periodic
        from kollega.reports.tasks import refresh_statistics

        register_periodic(refresh_statistics, every=timedelta(minutes=REFRESH_MINUTES))

        register_home_link(roles.COORDINATOR, label=_("Statistics"), url_name="reports:statistics")
