"""Coded values of a seizure record, with the texts that name them in files."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceType(models.TextChoices):
    AIRPORT = "airport", _("airport")
    SEAPORT = "seaport", _("seaport")
    LAND_BORDER = "land_border", _("land border")
    INLAND = "inland", _("inland")
    MAIL_CENTRE = "mail_centre", _("mail centre")
    AT_SEA = "at_sea", _("at sea")
    UNKNOWN = "unknown", _("unknown")
    OTHER = "other", _("other")


class TransportMode(models.TextChoices):
    AIR = "air", _("air")
    SEA = "sea", _("sea")
    ROAD = "road", _("road")
    RAIL = "rail", _("rail")
    POSTAL = "postal", _("postal / courier")
    PEDESTRIAN = "pedestrian", _("pedestrian")
    UNKNOWN = "unknown", _("unknown")
    OTHER = "other", _("other")


class SeizingAgency(models.TextChoices):
    POLICE = "police", _("police")
    CUSTOMS = "customs", _("customs")
    COAST_GUARD = "coast_guard", _("coast guard")
    MILITARY = "military", _("military")
    OTHER = "other", _("other")
    UNKNOWN = "unknown", _("unknown")


class ArrestedSex(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")
    MIXED = "mixed", _("both")
    UNKNOWN = "unknown", _("unknown")


UNKNOWN_TEXTS = ("unknown", "desconocido", "inconnu", "未知", "不详", "неизвестно", "n/a", "nd")
OTHER_TEXTS = ("other", "otro", "autre", "其他", "другое")

PLACE_TYPE_TEXTS: dict[str, tuple[str, ...]] = {
    "airport": ("aeropuerto", "aéroport", "机场", "аэропорт", "مطار", "air port"),
    "seaport": (
        "port",
        "puerto",
        "puerto marítimo",
        "港口",
        "海港",
        "порт",
        "ميناء",
        "harbour",
        "harbor",
        "container terminal",
    ),
    "land_border": (
        "border",
        "frontera",
        "frontière",
        "paso fronterizo",
        "边境",
        "口岸",
        "граница",
        "حدود",
        "border crossing",
        "land border crossing",
    ),
    "inland": (
        "interior",
        "domestic",
        "city",
        "ciudad",
        "road",
        "carretera",
        "内陆",
        "境内",
        "внутри страны",
    ),
    "mail_centre": (
        "mail",
        "post",
        "postal",
        "courier",
        "correo",
        "courrier",
        "邮件",
        "快递",
        "почта",
        "mail center",
        "mail centre",
    ),
    "at_sea": (
        "sea",
        "high seas",
        "mar",
        "en el mar",
        "alta mar",
        "aguas internacionales",
        "en mer",
        "海上",
        "в море",
    ),
    "unknown": UNKNOWN_TEXTS,
    "other": OTHER_TEXTS,
}
TRANSPORT_TEXTS: dict[str, tuple[str, ...]] = {
    "air": (
        "aire",
        "aéreo",
        "aereo",
        "avion",
        "avión",
        "plane",
        "aircraft",
        "flight",
        "航空",
        "空运",
        "飞机",
        "воздушный",
        "جوي",
    ),
    "sea": (
        "maritime",
        "marítimo",
        "maritimo",
        "mer",
        "vessel",
        "ship",
        "boat",
        "container",
        "barco",
        "buque",
        "海运",
        "船",
        "морской",
        "بحري",
    ),
    "road": (
        "vehicle",
        "car",
        "truck",
        "lorry",
        "bus",
        "vehículo",
        "vehiculo",
        "camión",
        "terrestre",
        "route",
        "公路",
        "车辆",
        "陆运",
        "автомобильный",
        "بري",
    ),
    "rail": ("train", "tren", "ferroviaire", "railway", "铁路", "火车", "железнодорожный"),
    "postal": (
        "post",
        "mail",
        "courier",
        "correo",
        "paquete",
        "parcel",
        "邮寄",
        "快递",
        "почта",
        "بريد",
    ),
    "pedestrian": ("on foot", "a pie", "à pied", "walking", "步行", "пешком"),
    "unknown": UNKNOWN_TEXTS,
    "other": OTHER_TEXTS,
}
AGENCY_TEXTS: dict[str, tuple[str, ...]] = {
    "police": (
        "policía",
        "policia",
        "gendarmerie",
        "gendarmería",
        "警察",
        "公安",
        "полиция",
        "شرطة",
        "national police",
        "drug enforcement",
        "antinarcóticos",
    ),
    "customs": (
        "aduana",
        "aduanas",
        "douane",
        "douanes",
        "海关",
        "таможня",
        "جمارك",
        "border force",
    ),
    "coast_guard": (
        "coast guard",
        "guardacostas",
        "garde-côtes",
        "海警",
        "береговая охрана",
        "navy",
        "armada",
        "marine",
    ),
    "military": ("army", "ejército", "armée", "军队", "армия", "military police"),
    "other": OTHER_TEXTS,
    "unknown": UNKNOWN_TEXTS,
}
SEX_TEXTS: dict[str, tuple[str, ...]] = {
    "male": (
        "m",
        "men",
        "man",
        "hombre",
        "hombres",
        "masculino",
        "homme",
        "男",
        "男性",
        "мужской",
        "ذكر",
    ),
    "female": (
        "f",
        "women",
        "woman",
        "mujer",
        "mujeres",
        "femenino",
        "femme",
        "女",
        "女性",
        "женский",
        "أنثى",
    ),
    "mixed": ("both", "ambos", "mixto", "les deux", "男女", "оба"),
    "unknown": UNKNOWN_TEXTS,
}
