from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeersConfig(AppConfig):
    name = "kollega.peers"
    label = "peers"
    verbose_name = _("Collegial support scheme")

    def ready(self) -> None:
        # Here, not at the top: these reach models (and django.contrib.auth's), which cannot be
        # imported while the app registry is still loading this module.
        from kollega.core import roles
        from kollega.core.navigation import register_home_link, register_public_link
        from kollega.core.schedule import register_periodic
        from kollega.peers.tasks import scheme_retention

        register_periodic(scheme_retention, every=timedelta(hours=1))

        register_public_link(
            heading=_("Or choose a peer counsellor yourself"),
            text=_(
                "The collegial support scheme lists its counsellors by county. Call or write to "
                "anyone on the list, in any county; nothing passes through us."
            ),
            label=_("See the list of peer counsellors"),
            url_name="peers:list",
        )

        register_home_link(
            roles.COUNSELLOR, label=_("My listing on the public list"), url_name="peers:my_listing"
        )
        register_home_link(
            roles.COUNSELLOR, label=_("Contacts I registered"), url_name="peers:contacts"
        )
        register_home_link(
            roles.COUNTY_LEADER,
            roles.COORDINATOR,
            label=_("Collegial support by county"),
            url_name="peers:counties",
        )
