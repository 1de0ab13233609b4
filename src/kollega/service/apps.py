from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "kollega.service"
    label = "service"
    verbose_name = _("Peer-support service")

    def ready(self) -> None:
        # Imported here, once the app registry is ready: they load models and auth views.
        from kollega.core import roles  # app registry: see above
        from kollega.core.navigation import register_home_link  # app registry: see above
        from kollega.core.schedule import register_periodic  # app registry: see above
        from kollega.service.tasks import auto_assign, escalate_urgent, retention  # see above

        register_periodic(retention, every=timedelta(hours=1))
        register_periodic(escalate_urgent, every=timedelta(minutes=5))
        # Catches what no event announces, such as a counsellor's absence ending.
        register_periodic(auto_assign, every=timedelta(minutes=15))

        register_home_link(roles.COUNSELLOR, label=_("My cases"), url_name="service:my_cases")
        register_home_link(
            roles.COUNSELLOR,
            label=_("My availability and conflicts"),
            url_name="service:my_profile",
        )
        register_home_link(roles.COORDINATOR, label=_("Request queue"), url_name="service:queue")
        register_home_link(
            roles.COORDINATOR, label=_("Concerns about a doctor"), url_name="service:concerns"
        )
        register_home_link(
            roles.COORDINATOR, label=_("Counsellors"), url_name="service:counsellors"
        )
        register_home_link(
            roles.COORDINATOR, label=_("Counselling days and courses"), url_name="service:offerings"
        )
        for role in (roles.COORDINATOR, roles.COUNTY_LEADER):
            register_home_link(role, label=_("Referral directory"), url_name="service:directory")
        register_home_link(
            roles.COORDINATOR, label=_("Feedback"), url_name="service:feedback_summary"
        )
        register_home_link(
            roles.COORDINATOR, label=_("Service settings"), url_name="service:settings"
        )
