"""The oblast's districts and its operations centers. Centers and coverage can change from the admin;
districts not yet covered by a center of their own are watched from Uralsk."""

from django.db import migrations

CENTERS = [
    ("uralsk", "ЦОУ ДП ЗКО (г. Уральск)", "БЖО ОП БҚО (Орал қ.)"),
    ("burlin", "ЦОУ Бурлинского района", "Бөрлі ауданының БЖО"),
    ("bayterek", "ЦОУ Байтерекского района", "Бәйтерек ауданының БЖО"),
    ("syrym", "ЦОУ Сырымского района", "Сырым ауданының БЖО"),
]

# code, Russian, Kazakh, seat latitude, seat longitude, center
DISTRICTS = [
    ("uralsk", "г. Уральск", "Орал қаласы", 51.2333, 51.3667, "uralsk"),
    ("akzhaik", "Акжаикский район", "Ақжайық ауданы", 50.1997, 51.1706, "uralsk"),
    ("bayterek", "Байтерекский район", "Бәйтерек ауданы", 51.1970, 50.8580, "bayterek"),
    ("bokeyorda", "Бокейординский район", "Бөкей ордасы ауданы", 48.8167, 46.7667, "uralsk"),
    ("burlin", "Бурлинский район", "Бөрлі ауданы", 51.1678, 52.9950, "burlin"),
    ("zhanibek", "Жанибекский район", "Жәнібек ауданы", 49.4167, 46.8500, "uralsk"),
    ("zhangala", "Жангалинский район", "Жаңақала ауданы", 49.2167, 50.3000, "syrym"),
    ("kaztalov", "Казталовский район", "Қазталов ауданы", 49.7667, 48.7000, "uralsk"),
    ("karatobe", "Каратобинский район", "Қаратөбе ауданы", 49.6833, 53.5167, "syrym"),
    ("syrym", "Сырымский район", "Сырым ауданы", 50.2500, 52.6000, "syrym"),
    ("taskala", "Таскалинский район", "Тасқала ауданы", 51.1167, 50.2833, "bayterek"),
    ("terekti", "Теректинский район", "Теректі ауданы", 51.2542, 51.9897, "uralsk"),
    ("shyngyrlau", "Чингирлауский район", "Шыңғырлау ауданы", 51.0961, 54.0789, "burlin"),
]


def seed(apps, schema_editor):
    OperationsCenter = apps.get_model("opscenter", "OperationsCenter")
    District = apps.get_model("opscenter", "District")
    centers = {}
    for code, name_ru, name_kk in CENTERS:
        centers[code], _created = OperationsCenter.objects.update_or_create(
            code=code, defaults={"name_ru": name_ru, "name_kk": name_kk}
        )
    for code, name_ru, name_kk, latitude, longitude, center in DISTRICTS:
        District.objects.update_or_create(
            code=code,
            defaults={
                "name_ru": name_ru,
                "name_kk": name_kk,
                "seat_latitude": latitude,
                "seat_longitude": longitude,
                "center": centers[center],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("opscenter", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
