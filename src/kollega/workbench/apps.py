from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "kollega.workbench"
    label = "workbench"
    verbose_name = _("STC workbench")

    def ready(self) -> None:
        # Imported once the apps are loaded: the signals' module imports models.
        from kollega.core import roles
        from kollega.core.navigation import register_home_link, register_study_links
        from kollega.workbench import signals  # noqa: F401 - withdrawal and transcript edits
        from kollega.workbench.access import study_analyses

        register_home_link(roles.RESEARCHER, label=_("Analyses"), url_name="workbench:analyses")
        register_study_links(study_analyses)
