import pytest

from tests.factories import UserFactory


@pytest.fixture
def operator_uralsk(db):
    return UserFactory(username="op_uralsk", role="operator", centers=["uralsk"])


@pytest.fixture
def operator_syrym(db):
    return UserFactory(username="op_syrym", role="operator", centers=["syrym"])


@pytest.fixture
def supervisor_uralsk(db):
    return UserFactory(username="sup_uralsk", role="supervisor", centers=["uralsk"])


@pytest.fixture
def officer_terekti(db):
    return UserFactory(username="officer_terekti", role="district_officer", districts=["terekti"])


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin1", role="administrator")
