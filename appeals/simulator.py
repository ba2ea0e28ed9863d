"""The demo's appeals: citizens filing through eGov Mobile, Kaspi.kz and Halyk Bank, now and then, through
the same service the partner API calls."""

import random
from datetime import date, timedelta

from django.utils import timezone

from appeals.iin import iin_make
from appeals.models import ANONYMOUS_CATEGORIES, AppealCategory, AppealType, Partner
from appeals.services.appeals import AppealInput, ApplicantInput, appeal_submit
from appeals.services.partners import partner_create
from opscenter.models import District

DEMO_PARTNERS = [("egov", "eGov Mobile"), ("kaspi", "Kaspi.kz"), ("halyk", "Halyk Bank")]
FILE_CHANCE = 0.25
# Uralsk has about half the oblast's people, and so its appeals.
DISTRICT_WEIGHTS = {"uralsk": 8, "terekti": 2, "burlin": 2, "bayterek": 2}

CATEGORY_WEIGHTS = {
    AppealCategory.ROAD_ACCIDENT: 3,
    AppealCategory.TRAFFIC_VIOLATION: 5,
    AppealCategory.DOMESTIC_VIOLENCE: 1,
    AppealCategory.CHILD_INCIDENT: 1,
    AppealCategory.OTHER_OFFENCE: 4,
    AppealCategory.POLICE_COMPLAINT: 1,
}
DESCRIPTIONS = {
    AppealCategory.ROAD_ACCIDENT: ("Столкновение двух легковых автомобилей на перекрёстке, пострадавших нет.",
                                   "Наезд на ограждение, водитель уехал с места ДТП."),
    AppealCategory.TRAFFIC_VIOLATION: ("Автомобиль регулярно паркуется на тротуаре у школы.",
                                       "Водитель маршрутного такси проехал на красный свет.",
                                       "Гонки по ночам на пустой улице, шум и опасная езда."),
    AppealCategory.DOMESTIC_VIOLENCE: ("Соседи громко ругаются, женщина зовёт на помощь.",),
    AppealCategory.CHILD_INCIDENT: ("Дети без присмотра играют у водоёма поздно вечером.",
                                    "Подросткам продают сигареты в киоске у остановки."),
    AppealCategory.OTHER_OFFENCE: ("Повреждён почтовый ящик в подъезде.", "Кража велосипеда со двора.",
                                   "Незаконная торговля спиртным из частного дома."),
    AppealCategory.POLICE_COMPLAINT: ("Участковый не ответил на моё прошлое обращение в срок.",),
}  # fmt: skip
NAMES = ("Серикова Айгуль", "Ахметов Нурлан", "Ким Ольга", "Жумабаев Ерлан", "Исмагулова Дана", "Петров Сергей")
STREETS = ("пр. Достык", "ул. Сарайшык", "пр. Абулхаир хана", "ул. Жангир хана", "ул. Молодёжная", "ул. Абая")


def ensure_demo_partners() -> list[Partner]:
    partners = {partner.code: partner for partner in Partner.objects.filter(code__in=[c for c, _ in DEMO_PARTNERS])}
    for code, name in DEMO_PARTNERS:
        if code not in partners:
            partners[code], _credentials = partner_create(code=code, name=name)
    return [partners[code] for code, _name in DEMO_PARTNERS]


def _applicant(rng: random.Random) -> ApplicantInput:
    birth = date(1960, 1, 1) + timedelta(days=rng.randint(0, 45 * 365))
    iin = None
    while iin is None:
        iin = iin_make(birth, female=rng.random() < 0.5, serial=rng.randint(0, 9999))
    return ApplicantInput(iin=iin, full_name=rng.choice(NAMES), phone=f"+7701{rng.randint(1000000, 9999999)}")


def simulate_appeals(rng: random.Random) -> None:
    """One round: now and then one citizen files an appeal from one of the three apps."""
    if rng.random() >= FILE_CHANCE:
        return
    partner = rng.choice(ensure_demo_partners())
    categories = list(CATEGORY_WEIGHTS)
    category = rng.choices(categories, weights=[CATEGORY_WEIGHTS[c] for c in categories])[0]
    districts = list(District.objects.all())
    district = rng.choices(districts, weights=[DISTRICT_WEIGHTS.get(d.code, 1) for d in districts])[0]
    anonymous = category in ANONYMOUS_CATEGORIES and rng.random() < 0.2
    with_point = rng.random() < 0.8
    appeal_submit(
        partner=partner,
        data=AppealInput(
            category=category,
            appeal_type=AppealType.COMPLAINT if category == AppealCategory.POLICE_COMPLAINT else AppealType.REPORT,
            description=rng.choice(DESCRIPTIONS[category]),
            occurred_at=timezone.now() - timedelta(minutes=rng.randint(5, 600)),
            latitude=round(district.seat_latitude + rng.gauss(0, 0.03), 6) if with_point else None,
            longitude=round(district.seat_longitude + rng.gauss(0, 0.045), 6) if with_point else None,
            address=f"{district.name_ru}, {rng.choice(STREETS)}, {rng.randint(1, 120)}",
            applicant=None if anonymous else _applicant(rng),
            anonymous=anonymous,
            partner_reference=f"{partner.code}-{rng.getrandbits(32):08x}",
        ),
    )
