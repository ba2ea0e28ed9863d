"""factory_boy factories for the spine; centers and districts come from the seed migration."""

import factory
from django.utils import timezone

from opscenter.models import Alert, District, OperationsCenter, Role, User

PASSWORD = "correct-horse-battery"


def center(code: str) -> OperationsCenter:
    return OperationsCenter.objects.get(code=code)


def district(code: str) -> District:
    return District.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OPERATOR
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def centers(self, create, extracted, **kwargs):
        if create and extracted:
            self.centers.set([center(code) if isinstance(code, str) else code for code in extracted])

    @factory.post_generation
    def districts(self, create, extracted, **kwargs):
        if create and extracted:
            self.districts.set([district(code) if isinstance(code, str) else code for code in extracted])

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


class AlertFactory(factory.django.DjangoModelFactory):
    """Only for reads; writes go through the services."""

    class Meta:
        model = Alert

    source = "test"
    kind = "test"
    severity = 2
    title = factory.Sequence(lambda n: f"Alert {n}")
    center = factory.LazyFunction(lambda: center("uralsk"))
    district = factory.LazyFunction(lambda: district("uralsk"))
    raised_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


def make_unit(
    call_sign: str,
    *,
    center_code: str = "uralsk",
    district_code: str | None = None,
    status: str = "available",
    at: tuple[float, float] | None = None,
    crew=(),
    kind: str = "car",
):
    """A patrol unit made by the service (so published and audited like a real one), placed at `at`."""
    from opscenter.models import Unit
    from opscenter.services.units import unit_create

    made = unit_create(
        call_sign=call_sign,
        kind=kind,
        center=center(center_code),
        district=district(district_code) if district_code else None,
        crew=crew,
        status=status,
    )
    if at is not None:
        Unit.objects.filter(pk=made.pk).update(latitude=at[0], longitude=at[1], position_at=timezone.now())
        made.refresh_from_db()
    return made
