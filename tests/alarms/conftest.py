import pytest

from alarms.services import panel_create
from tests.factories import district

KEY = "0123456789ABCDEF"


@pytest.fixture
def panel(db):
    panel = panel_create(
        account="1234",
        object_name="School No. 5",
        object_kind="school",
        district=district("uralsk"),
        latitude=51.2301,
        longitude=51.3702,
        address="Uralsk, Dostyk 12",
    )
    protected = panel.protected_object
    protected.contacts.create(kind="person", name="A. Serikova", role="director", phone="+77112000000")
    return panel


@pytest.fixture
def encrypted_panel(db):
    return panel_create(
        account="ABCD01", object_name="Kindergarten Balapan", object_kind="kindergarten",
        district=district("burlin"), aes_key=KEY,
    )  # fmt: skip
