"""The place names of the oblast's districts found in a free-text address (the geometry that routes by
location is the spine's: opscenter.geo)."""

import re

from opscenter.geo import GeometryError, bounds_of, contains, distance_km, polygons_of

__all__ = ["GeometryError", "bounds_of", "contains", "distance_km", "district_code_from_address", "polygons_of"]

# Place names per district, tried in this order: a district's own name first (Акжаикский район), then the
# city of Uralsk, then the district seats and large villages. Streets are named after them too (ул. Чапаева,
# ул. Сырыма Датова in Uralsk): a name right after a street word, or before көшесі, does not count.
_DISTRICT_NAMES = {
    "akzhaik": r"акжаик|ақжайық|akzhaik|akzhayik",
    "bayterek": r"байтерек|бәйтерек|bayterek|baiterek",
    "bokeyorda": r"бокейорд|бөкей\s*орда|бокей\s*орд|bokeyorda|bokei\s*orda",
    "burlin": r"бурлин|бөрлі|burlin",
    "zhanibek": r"жанибек|жәнібек|zhanibek",
    "zhangala": r"жангал|жаңақала|zhangala",
    "kaztalov": r"казталов|қазталов|kaztalov",
    "karatobe": r"каратоб|қаратөбе|karatobe",
    "syrym": r"сырым|syrym",
    "taskala": r"таскал|тасқала|taskala",
    "terekti": r"теректин|теректі|terekti",
    "shyngyrlau": r"чингирлау|шыңғырлау|shyngyrlau|chingirlau",
}
_CITY = ("uralsk", r"уральск(?!\w)|орал(?!\w)|oral(?!\w)|uralsk(?!\w)")
_SETTLEMENTS = {
    "akzhaik": r"чапаев|шапағат|chapaev",
    "bayterek": r"переметн|перемётн|peremetn|зеленов",
    "bokeyorda": r"сайхин|saikhin|saykhin|хан\s*ордасы",
    "burlin": r"аксай|ақсай|aksai|aksay",
    "kaztalov": r"казталовк",
    "syrym": r"жымпиты|zhympity",
    "terekti": r"фёдоровк|федоровк|fyodorovk|fedorovk",
}
_STREET_WORD = r"(?:ул|улица|пр|просп|проспект|пер|переулок|мкр|көш|көшесі|даңғ|st|street|ave|avenue)\.?\s*$"


def _named(pattern: str, text: str) -> bool:
    """Whether `text` names the place, not a street called after it (ул. Чапаева, Сырым Датов көшесі)."""
    for match in re.finditer(rf"(?<!\w)(?:{pattern})", text):
        if not re.search(_STREET_WORD, text[: match.start()]) and not re.match(
            r"\w*\s+(?:\w+\s+)?(?:көшесі|даңғылы)", text[match.start() :]
        ):
            return True
    return False


def district_code_from_address(address: str) -> str | None:
    """The district an address names, or None when it names none."""
    text = address.lower()
    for code, pattern in _DISTRICT_NAMES.items():
        if _named(pattern, text):
            return code
    if _named(_CITY[1], text):
        return _CITY[0]
    for code, pattern in _SETTLEMENTS.items():
        if _named(pattern, text):
            return code
    return None
