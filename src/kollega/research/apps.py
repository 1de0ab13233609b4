from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "kollega.research"
    label = "research"
    verbose_name = _("Research")

    def ready(self) -> None:
        from kollega.core import roles
        from kollega.core.navigation import register_home_link
        from kollega.research import signals  # noqa: F401 - connects the file clean-up

        register_home_link(roles.RESEARCHER, label=_("Studies"), url_name="research:studies")
