"""Norway's counties, shared by the accounts (county leaders) and the service (preferences)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.TextChoices):
    """Norway's counties (2024)."""

    OSLO = "oslo", "Oslo"
    AKERSHUS = "akershus", "Akershus"
    OSTFOLD = "ostfold", "Østfold"
    BUSKERUD = "buskerud", "Buskerud"
    INNLANDET = "innlandet", "Innlandet"
    VESTFOLD = "vestfold", "Vestfold"
    TELEMARK = "telemark", "Telemark"
    AGDER = "agder", "Agder"
    ROGALAND = "rogaland", "Rogaland"
    VESTLAND = "vestland", "Vestland"
    MORE_OG_ROMSDAL = "more_og_romsdal", "Møre og Romsdal"
    TRONDELAG = "trondelag", "Trøndelag"
    NORDLAND = "nordland", "Nordland"
    TROMS = "troms", "Troms"
    FINNMARK = "finnmark", "Finnmark"
    ABROAD = "abroad", _("Outside Norway")
