"""Coded values of a migrant smuggling incident, with the texts that name them
in files (codes, English, Spanish, French, Chinese, Russian, Arabic)."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise


class Detection(models.TextChoices):
    LAND_BORDER = "land_border", _("at a land border")
    SEA_BORDER = "sea_border", _("at a sea border or port")
    AIR_BORDER = "air_border", _("at an air border")
    INLAND = "inland", _("inland")
    AT_SEA = "at_sea", _("at sea")
    UNKNOWN = "unknown", _("unknown")


class PlaceType(models.TextChoices):
    BORDER_CROSSING = "border_crossing", _("border crossing point")
    GREEN_BORDER = "green_border", _("border away from crossing points")
    SEAPORT = "seaport", _("seaport")
    COAST = "coast", _("coast or beach")
    AIRPORT = "airport", _("airport")
    ROAD = "road", _("road or checkpoint")
    URBAN = "urban", _("town or city")
    AT_SEA = "at_sea", _("at sea")
    UNKNOWN = "unknown", _("unknown")
    OTHER = "other", _("other")


class TransportMode(models.TextChoices):
    ROAD = "road", _("road")
    SEA = "sea", _("sea")
    AIR = "air", _("air")
    RAIL = "rail", _("rail")
    FOOT = "foot", _("on foot")
    MIXED = "mixed", _("mixed")
    UNKNOWN = "unknown", _("unknown")


class Vessel(models.TextChoices):
    CAR = "car", _("car")
    VAN = "van", _("van")
    TRUCK = "truck", _("lorry / truck")
    BUS = "bus", _("bus")
    DINGHY = "dinghy", _("rubber dinghy")
    FISHING_BOAT = "fishing_boat", _("fishing boat")
    WOODEN_BOAT = "wooden_boat", _("wooden boat")
    SPEEDBOAT = "speedboat", _("speedboat")
    CARGO_SHIP = "cargo_ship", _("cargo ship")
    AIRCRAFT = "aircraft", _("commercial flight")
    TRAIN = "train", _("train")
    NONE = "none", _("none (on foot)")
    UNKNOWN = "unknown", _("unknown")
    OTHER = "other", _("other")


class FeeBasis(models.TextChoices):
    PER_PERSON = "per_person", _("per person")
    PER_GROUP = "per_group", _("for the whole group")


class DocumentType(models.TextChoices):
    PASSPORT = "passport", _("passport")
    VISA = "visa", _("visa")
    ID_CARD = "id_card", _("identity card")
    RESIDENCE_PERMIT = "residence_permit", _("residence permit")
    OTHER = "other", _("other")


class DocumentFraud(models.TextChoices):
    FORGED = "forged", _("forged (a genuine document altered)")
    COUNTERFEIT = "counterfeit", _("counterfeit (a false document)")
    FRAUDULENTLY_OBTAINED = "fraudulently_obtained", _("genuine, fraudulently obtained")
    IMPOSTOR = "impostor", _("genuine, used by an impostor")


# Multi-valued tags (a cell lists several, separated by ; or ,).
MODUS_OPERANDI: dict[str, StrOrPromise] = {
    "concealment_vehicle": _("concealed in a vehicle"),
    "concealment_container": _("concealed in a container"),
    "overcrowded_vessel": _("overcrowded vessel"),
    "abandonment": _("migrants abandoned en route"),
    "guided_crossing": _("guided crossing on foot"),
    "fraudulent_documents": _("fraudulent documents"),
    "visa_abuse": _("legal entry, then overstay or abuse of visa"),
    "sham_marriage": _("sham marriage or family reunification"),
    "online_recruitment": _("recruitment online or on social media"),
    "corruption_of_officials": _("corruption of officials"),
    "mothership": _("mothership and smaller boats"),
}
SMUGGLER_ROLES: dict[str, StrOrPromise] = {
    "organiser": _("organiser"),
    "recruiter": _("recruiter"),
    "driver": _("driver or skipper"),
    "guide": _("guide"),
    "document_provider": _("document provider"),
    "money_handler": _("money handler (hawala)"),
    "safe_house": _("safe-house keeper"),
    "corrupt_official": _("corrupt official"),
}
FEE_COVERS: dict[str, StrOrPromise] = {
    "transport": _("transport"),
    "documents": _("documents"),
    "accommodation": _("accommodation"),
    "border_crossing": _("border crossing"),
    "full_journey": _("the whole journey"),
    "bribes": _("bribes"),
}
RELATED_CONDUCT: dict[str, StrOrPromise] = {
    "corruption": _("corruption"),
    "document_fraud": _("document fraud"),
    "money_laundering": _("money laundering"),
    "trafficking_indicators": _("indicators of trafficking in persons"),
    "violence": _("violence against migrants"),
    "extortion": _("extortion or kidnapping for ransom"),
}
TAGS: dict[str, dict[str, StrOrPromise]] = {
    "modus_operandi": MODUS_OPERANDI,
    "smuggler_roles": SMUGGLER_ROLES,
    "fee_covers": FEE_COVERS,
    "related_conduct": RELATED_CONDUCT,
}

DETECTION_TEXTS: dict[str, tuple[str, ...]] = {
    "land_border": (
        "land border",
        "land",
        "frontera terrestre",
        "frontière terrestre",
        "陆地边境",
        "сухопутная граница",
        "الحدود البرية",
    ),
    "sea_border": (
        "sea border",
        "port",
        "frontera marítima",
        "puerto",
        "frontière maritime",
        "海上边境",
        "港口",
        "морская граница",
        "الحدود البحرية",
    ),
    "air_border": (
        "air border",
        "airport",
        "frontera aérea",
        "aeropuerto",
        "frontière aérienne",
        "aéroport",
        "航空口岸",
        "机场",
        "воздушная граница",
        "المطار",
    ),
    "inland": (
        "inland",
        "interior",
        "en el interior",
        "à l'intérieur",
        "境内",
        "内陆",
        "внутри страны",
        "داخل البلد",
    ),
    "at_sea": ("at sea", "sea", "en el mar", "en mer", "海上", "в море", "في البحر"),
}
TRANSPORT_TEXTS: dict[str, tuple[str, ...]] = {
    "road": (
        "land",
        "car",
        "truck",
        "terrestre",
        "carretera",
        "route",
        "公路",
        "陆路",
        "автомобильный",
        "بري",
    ),
    "sea": ("boat", "maritime", "marítimo", "mar", "mer", "海运", "海路", "морской", "بحري"),
    "air": ("flight", "plane", "aéreo", "avion", "aérien", "航空", "空运", "воздушный", "جوي"),
    "rail": ("train", "tren", "ferroviaire", "铁路", "火车", "железнодорожный", "قطار"),
    "foot": ("walking", "a pie", "à pied", "步行", "пешком", "سيرا على الأقدام"),
    "mixed": ("several", "mixto", "mixte", "混合", "смешанный", "مختلط"),
}
YES_NO_TEXTS: dict[str, tuple[str, ...]] = {
    "yes": ("y", "true", "1", "x", "sí", "si", "oui", "是", "да", "نعم", "national only"),
    "no": ("n", "false", "0", "non", "否", "нет", "لا", "shared"),
}


def texts(
    choices: type[models.TextChoices], extra: dict[str, tuple[str, ...]] | None = None
) -> dict[str, tuple[str, ...]]:
    """Code -> texts for the intake engine: the code spelt with spaces, and more."""
    extra = extra or {}
    return {value: (value.replace("_", " "), *extra.get(value, ())) for value in choices.values}
