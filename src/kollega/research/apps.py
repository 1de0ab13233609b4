from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResearchConfig(AppConfig):
    name = "kollega.research"
    label = "research"
    verbose_name = _("Research")

    def ready(self) -> None:
        # Imported here, not above: these modules load models, which Django allows only once
        # every app is registered.
        from kollega.core import roles
        from kollega.core.crypto import register_rotator
        from kollega.core.navigation import register_home_link, register_status_panel
        from kollega.core.schedule import register_periodic
        from kollega.research import signals  # noqa: F401 - connects the file clean-up
        from kollega.research.actions import rotate_recording_files
        from kollega.research.tasks import (
            exclude_lapsed,
            resume_stalled_transcriptions,
            warn_closing_windows,
        )
        from kollega.research.views.seeker import status_panel

        register_rotator(rotate_recording_files)
        register_periodic(resume_stalled_transcriptions, every=timedelta(minutes=5))
        register_periodic(exclude_lapsed, every=timedelta(hours=1))
        register_periodic(warn_closing_windows, every=timedelta(hours=1))

        register_home_link(roles.RESEARCHER, label=_("Studies"), url_name="research:studies")
        register_status_panel(status_panel)
