"""The emergency numbers every seeker-facing page shows, from KOLLEGA_EMERGENCY_NUMBERS.

Needs no database and no request, so the error pages can show them when everything else fails.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kollega.core.phone import tel_uri

# The Norwegian services' names stay Norwegian (that is what a person hears on the phone and
# finds on their own); readers of another language get a translation beside them. An
# organisation's own numbers with other names are shown as configured.
GLOSSES = {
    "medisinsk nødtelefon": _("medical emergency"),
    "legevakt": _("out-of-hours medical service"),
    "mental helse hjelpetelefon": _("Mental Health Norway's helpline"),
    "kirkens sos": _("crisis helpline, by phone and chat"),
    "politi": _("police"),
}
NORWEGIAN = ("nb", "nn", "no")


def emergency_numbers() -> list[dict[str, str]]:
    """Each configured "number=name" as number, name, `tel` (for a tel: link) and `gloss`: the
    name's translation in the active language, or "" in Norwegian or for an unknown name."""
    norwegian = (get_language() or settings.LANGUAGE_CODE).split("-")[0] in NORWEGIAN
    numbers = []
    for item in settings.KOLLEGA_EMERGENCY_NUMBERS:
        number, _sep, label = item.partition("=")
        label = label.strip()
        gloss = "" if norwegian else str(GLOSSES.get(label.lower(), ""))
        numbers.append(
            {
                "number": number.strip(),
                "label": label,
                "tel": tel_uri(number),
                "gloss": gloss,
            }
        )
    return numbers


def service_phone() -> dict[str, str] | None:
    """The service's own phone (KOLLEGA_SERVICE_PHONE) as number and `tel`, or None when the
    organisation has not configured one: then no page may say "call us"."""
    number = str(getattr(settings, "KOLLEGA_SERVICE_PHONE", "") or "").strip()
    if not number:
        return None
    return {"number": number, "tel": tel_uri(number)}
