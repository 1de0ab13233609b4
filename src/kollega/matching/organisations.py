"""Norway's regional health authorities, health trusts, some other employers of doctors, and
municipalities (2024), with common aliases, so that conflicts match on identities, not words.

Written for this project from public facts (the health trusts' and municipalities' own names).
`resolve("OUS")` and `resolve("Ullevål")` both give Oslo universitetssykehus HF; `resolve("Helse")`
gives nothing known, so it stays free text and only matches the same free text. Free text is
normalised (case, punctuation, "HF"/"RHF"/"kommune" endings) before it is compared.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    kind: str  # "rhf", "hf", "hospital", "agency", "university", "municipality"
    county: str = ""
    parent: str = ""  # a health trust's regional health authority
    aliases: tuple[str, ...] = ()


FREE_TEXT = "text:"

_AUTHORITIES = (
    Organisation("rhf:sor-ost", "Helse Sør-Øst RHF", "rhf", aliases=("HSØ", "Helse Sør Øst")),
    Organisation("rhf:vest", "Helse Vest RHF", "rhf"),
    Organisation("rhf:midt", "Helse Midt-Norge RHF", "rhf", aliases=("HMN", "Helse Midt")),
    Organisation("rhf:nord", "Helse Nord RHF", "rhf"),
)


def _trust(key: str, name: str, county: str, parent: str, *aliases: str) -> Organisation:
    return Organisation(f"hf:{key}", name, "hf", county, f"rhf:{parent}", aliases)


_TRUSTS = (
    _trust(
        "ous", "Oslo universitetssykehus HF", "oslo", "sor-ost",
        "OUS", "Oslo universitetssykehus", "Rikshospitalet", "Ullevål", "Ullevål sykehus",
        "Ullevål universitetssykehus", "Radiumhospitalet", "Aker sykehus",
    ),
    _trust(
        "ahus", "Akershus universitetssykehus HF", "akershus", "sor-ost",
        "Ahus", "A-hus", "Akershus universitetssykehus", "Kongsvinger sykehus",
    ),
    _trust("ostfold", "Sykehuset Østfold HF", "ostfold", "sor-ost", "Sykehuset Østfold", "Kalnes"),
    _trust(
        "vestre-viken", "Vestre Viken HF", "buskerud", "sor-ost",
        "Drammen sykehus", "Bærum sykehus", "Ringerike sykehus", "Kongsberg sykehus",
    ),
    _trust(
        "innlandet", "Sykehuset Innlandet HF", "innlandet", "sor-ost",
        "Hamar sykehus", "Lillehammer sykehus", "Gjøvik sykehus", "Elverum sykehus",
        "Tynset sykehus",
    ),
    _trust("vestfold", "Sykehuset i Vestfold HF", "vestfold", "sor-ost", "SiV", "Tønsberg sykehus"),
    _trust("telemark", "Sykehuset Telemark HF", "telemark", "sor-ost", "STHF", "Skien sykehus"),
    _trust(
        "sorlandet", "Sørlandet sykehus HF", "agder", "sor-ost",
        "SSHF", "Kristiansand sykehus", "Arendal sykehus", "Flekkefjord sykehus",
    ),
    _trust("sunnaas", "Sunnaas sykehus HF", "akershus", "sor-ost", "Sunnaas"),
    _trust(
        "bergen", "Helse Bergen HF", "vestland", "vest",
        "Haukeland", "Haukeland universitetssjukehus", "Haukeland universitetssykehus",
        "Voss sjukehus",
    ),
    _trust(
        "stavanger", "Helse Stavanger HF", "rogaland", "vest",
        "SUS", "Stavanger universitetssjukehus", "Stavanger universitetssykehus",
    ),
    _trust("fonna", "Helse Fonna HF", "vestland", "vest", "Haugesund sjukehus", "Stord sjukehus"),
    _trust("forde", "Helse Førde HF", "vestland", "vest", "Førde sentralsjukehus"),
    _trust(
        "more-og-romsdal", "Helse Møre og Romsdal HF", "more_og_romsdal", "midt",
        "HMR", "Ålesund sjukehus", "Molde sjukehus", "Kristiansund sjukehus", "Volda sjukehus",
    ),
    _trust(
        "st-olav", "St. Olavs hospital HF", "trondelag", "midt",
        "St. Olav", "St Olavs", "St. Olavs hospital", "Olavs hospital", "Orkdal sjukehus",
    ),
    _trust(
        "nord-trondelag", "Helse Nord-Trøndelag HF", "trondelag", "midt",
        "HNT", "Sykehuset Levanger", "Sykehuset Namsos",
    ),
    _trust(
        "unn", "Universitetssykehuset Nord-Norge HF", "troms", "nord",
        "UNN", "Tromsø sykehus", "Harstad sykehus", "Narvik sykehus",
    ),
    _trust("nordland", "Nordlandssykehuset HF", "nordland", "nord", "NLSH", "Bodø sykehus"),
    _trust(
        "helgeland", "Helgelandssykehuset HF", "nordland", "nord",
        "Mo i Rana sykehus", "Mosjøen sykehus", "Sandnessjøen sykehus",
    ),
    _trust(
        "finnmark", "Finnmarkssykehuset HF", "finnmark", "nord",
        "Hammerfest sykehus", "Kirkenes sykehus", "Klinikk Alta",
    ),
)  # fmt: skip

_OTHERS = (
    Organisation("hospital:lovisenberg", "Lovisenberg Diakonale Sykehus", "hospital", "oslo",
                 aliases=("Lovisenberg", "LDS")),
    Organisation("hospital:diakonhjemmet", "Diakonhjemmet sykehus", "hospital", "oslo",
                 aliases=("Diakonhjemmet",)),
    Organisation("hospital:martina-hansen", "Martina Hansens Hospital", "hospital", "akershus"),
    Organisation("hospital:haraldsplass", "Haraldsplass Diakonale Sykehus", "hospital",
                 "vestland", aliases=("Haraldsplass",)),
    Organisation("agency:helsetilsynet", "Statens helsetilsyn", "agency", "oslo",
                 aliases=("Helsetilsynet",)),
    Organisation("agency:helsedirektoratet", "Helsedirektoratet", "agency", "oslo",
                 aliases=("Hdir",)),
    Organisation("agency:fhi", "Folkehelseinstituttet", "agency", "oslo", aliases=("FHI",)),
    Organisation("agency:legeforeningen", "Den norske legeforening", "agency", "oslo",
                 aliases=("Legeforeningen",)),
    Organisation("university:uio", "Universitetet i Oslo", "university", "oslo", aliases=("UiO",)),
    Organisation("university:uib", "Universitetet i Bergen", "university", "vestland",
                 aliases=("UiB",)),
    Organisation("university:ntnu", "Norges teknisk-naturvitenskapelige universitet",
                 "university", "trondelag", aliases=("NTNU",)),
    Organisation("university:uit", "UiT Norges arktiske universitet", "university", "troms",
                 aliases=("UiT", "Universitetet i Tromsø")),
)  # fmt: skip

# Municipalities by county (2024). Two names occur twice (Herøy, Våler): those ids carry the
# county and the bare name resolves to both.
_MUNICIPALITIES: dict[str, str] = {
    "oslo": "Oslo",
    "ostfold": "Halden, Moss, Sarpsborg, Fredrikstad, Hvaler, Aremark, Marker, Indre Østfold, "
    "Skiptvet, Rakkestad, Råde, Våler",
    "akershus": "Nesodden, Frogn, Vestby, Ås, Enebakk, Lillestrøm, Nordre Follo, Lørenskog, "
    "Rælingen, Aurskog-Høland, Nes, Gjerdrum, Ullensaker, Nannestad, Eidsvoll, Hurdal, Lunner, "
    "Jevnaker, Bærum, Asker, Nittedal",
    "buskerud": "Drammen, Kongsberg, Ringerike, Hole, Flå, Nesbyen, Gol, Hemsedal, Ål, Hol, "
    "Sigdal, Krødsherad, Modum, Øvre Eiker, Lier, Flesberg, Rollag, Nore og Uvdal",
    "innlandet": "Kongsvinger, Hamar, Lillehammer, Gjøvik, Ringsaker, Løten, Stange, Nord-Odal, "
    "Sør-Odal, Eidskog, Grue, Åsnes, Våler, Elverum, Trysil, Åmot, Stor-Elvdal, Rendalen, "
    "Engerdal, Tolga, Tynset, Alvdal, Folldal, Os, Dovre, Lesja, Skjåk, Lom, Vågå, Nord-Fron, "
    "Sel, Sør-Fron, Ringebu, Øyer, Gausdal, Østre Toten, Vestre Toten, Gran, Søndre Land, "
    "Nordre Land, Sør-Aurdal, Etnedal, Nord-Aurdal, Vestre Slidre, Øystre Slidre, Vang",
    "vestfold": "Horten, Holmestrand, Tønsberg, Sandefjord, Larvik, Færder",
    "telemark": "Porsgrunn, Skien, Notodden, Siljan, Bamble, Kragerø, Drangedal, Nome, "
    "Midt-Telemark, Seljord, Hjartdal, Tinn, Kviteseid, Nissedal, Fyresdal, Tokke, Vinje",
    "agder": "Risør, Grimstad, Arendal, Kristiansand, Lindesnes, Farsund, Flekkefjord, Gjerstad, "
    "Vegårshei, Tvedestrand, Froland, Lillesand, Birkenes, Åmli, Iveland, Evje og Hornnes, "
    "Bygland, Valle, Bykle, Vennesla, Åseral, Lyngdal, Hægebostad, Kvinesdal, Sirdal",
    "rogaland": "Eigersund, Stavanger, Haugesund, Sokndal, Lund, Bjerkreim, Hå, Klepp, Time, "
    "Gjesdal, Sola, Randaberg, Strand, Hjelmeland, Suldal, Sauda, Kvitsøy, Bokn, Tysvær, "
    "Karmøy, Utsira, Vindafjord, Sandnes",
    "vestland": "Bergen, Kinn, Etne, Sveio, Bømlo, Stord, Fitjar, Tysnes, Kvinnherad, Ullensvang, "
    "Eidfjord, Ulvik, Voss, Kvam, Samnanger, Bjørnafjorden, Austevoll, Øygarden, Askøy, "
    "Vaksdal, Modalen, Osterøy, Alver, Austrheim, Fedje, Masfjorden, Gulen, Solund, Hyllestad, "
    "Høyanger, Vik, Sogndal, Aurland, Lærdal, Årdal, Luster, Askvoll, Fjaler, Sunnfjord, "
    "Bremanger, Stad, Gloppen, Stryn",
    "more_og_romsdal": "Kristiansund, Molde, Ålesund, Haram, Vanylven, Sande, Herøy, Ulstein, "
    "Hareid, Ørsta, Volda, Stranda, Sykkylven, Sula, Giske, Vestnes, Rauma, Aukra, Averøy, "
    "Gjemnes, Tingvoll, Sunndal, Surnadal, Smøla, Aure, Hustadvika, Fjord",
    "trondelag": "Trondheim, Steinkjer, Namsos, Frøya, Osen, Oppdal, Rennebu, Røros, Holtålen, "
    "Midtre Gauldal, Melhus, Skaun, Malvik, Selbu, Tydal, Meråker, Stjørdal, Frosta, Levanger, "
    "Verdal, Snåsa, Lierne, Røyrvik, Namsskogan, Grong, Høylandet, Overhalla, Flatanger, Leka, "
    "Inderøy, Indre Fosen, Heim, Hitra, Ørland, Åfjord, Orkland, Nærøysund, Rindal",
    "nordland": "Bodø, Narvik, Bindal, Sømna, Brønnøy, Vega, Vevelstad, Herøy, Alstahaug, "
    "Leirfjord, Vefsn, Grane, Hattfjelldal, Dønna, Nesna, Hemnes, Rana, Lurøy, Træna, Rødøy, "
    "Meløy, Gildeskål, Beiarn, Saltdal, Fauske, Sørfold, Steigen, Lødingen, Evenes, Røst, "
    "Værøy, Flakstad, Vestvågøy, Vågan, Hadsel, Bø, Øksnes, Sortland, Andøy, Moskenes, Hamarøy",
    "troms": "Tromsø, Harstad, Kvæfjord, Tjeldsund, Ibestad, Gratangen, Lavangen, Bardu, "
    "Salangen, Målselv, Sørreisa, Dyrøy, Senja, Balsfjord, Karlsøy, Lyngen, Storfjord, Kåfjord, "
    "Skjervøy, Nordreisa, Kvænangen",
    "finnmark": "Alta, Hammerfest, Vardø, Vadsø, Kautokeino, Loppa, Hasvik, Måsøy, Nordkapp, "
    "Porsanger, Karasjok, Lebesby, Gamvik, Berlevåg, Tana, Nesseby, Båtsfjord, Sør-Varanger",
}

# Official Sami and Kven names used beside the Norwegian ones.
_MUNICIPALITY_ALIASES = {
    "Kautokeino": ("Guovdageaidnu",),
    "Karasjok": ("Kárášjohka",),
    "Tana": ("Deatnu",),
    "Nesseby": ("Unjárga",),
    "Porsanger": ("Porsáŋgu", "Porsanki"),
    "Kåfjord": ("Gáivuotna", "Kaivuono"),
    "Lavangen": ("Loabát",),
    "Snåsa": ("Snåase",),
    "Røyrvik": ("Raarvihke",),
    "Hamarøy": ("Hábmer",),
}

_SUFFIXES = ("hf", "rhf", "kommune", "kommunen", "municipality")


def normalise(text: str) -> str:
    """Lower case, accents kept (ø, å, á), punctuation and "HF"/"kommune" endings dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    words = re.sub(r"[^\w]+", " ", text).split()
    while words and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(words)


def _municipalities() -> list[Organisation]:
    names: dict[str, int] = {}
    for listing in _MUNICIPALITIES.values():
        for name in listing.split(", "):
            names[name] = names.get(name, 0) + 1
    found = []
    for county, listing in _MUNICIPALITIES.items():
        for name in listing.split(", "):
            twice = names[name] > 1
            key = normalise(name).replace(" ", "-") + (f"-{county}" if twice else "")
            found.append(
                Organisation(
                    f"municipality:{key}",
                    f"{name} kommune",
                    "municipality",
                    county,
                    aliases=(name, *_MUNICIPALITY_ALIASES.get(name, ())),
                )
            )
    return found


@cache
def organisations() -> tuple[Organisation, ...]:
    """Every listed organisation: authorities, trusts, other employers, then municipalities."""
    return (*_AUTHORITIES, *_TRUSTS, *_OTHERS, *_municipalities())


@cache
def _index() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for org in organisations():
        for label in (org.name, *org.aliases):
            found.setdefault(normalise(label), set()).add(org.id)
    return {label: frozenset(ids) for label, ids in found.items()}


@cache
def by_id() -> dict[str, Organisation]:
    return {org.id: org for org in organisations()}


@lru_cache(maxsize=4096)
def resolve(text: str) -> frozenset[str]:
    """The identities one written name stands for.

    A listed name or alias gives its organisation(s) (a name two municipalities share gives
    both); anything else gives one free-text identity, which only matches the same text.
    Empty text gives nothing.
    """
    key = normalise(text)
    if not key:
        return frozenset()
    return _index().get(key, frozenset({FREE_TEXT + key}))


def resolve_all(text: str) -> frozenset[str]:
    """Identities of every name in `text`, one per line or separated by commas or semicolons."""
    found: set[str] = set()
    for part in re.split(r"[\n,;]+", text or ""):
        found |= resolve(part)
    return frozenset(found)


def label(identity: str) -> str:
    """A readable name for an identity: the organisation's name, or the normalised free text."""
    org = by_id().get(identity)
    if org is not None:
        return org.name
    return identity.removeprefix(FREE_TEXT)
