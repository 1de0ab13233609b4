from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "kollega.reports"
    label = "reports"
    verbose_name = _("Statistics")

    def ready(self) -> None:
        from kollega.core import roles
        from kollega.core.navigation import register_home_link

        register_home_link(roles.COORDINATOR, label=_("Statistics"), url_name="reports:statistics")
