"""The IIN and its check digit."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appeals.iin import iin_check_digit, iin_is_valid, iin_make, iin_problem


def test_the_check_digit_of_a_known_iin():
    # 9*1 + 0*2 + 0*3 + 1*4 + 1*5 + 5*6 + 3*7 + 0*8 + 0*9 + 0*10 + 1*11 = 80; 80 mod 11 = 3
    assert iin_check_digit("90011530001") == 3
    assert iin_is_valid("900115300013")


def test_a_worked_example_of_the_second_weights():
    # When the weights 1..11 leave 10, the second set (3..11, 1, 2) decides.
    first_eleven = next(
        f"{serial:011d}"
        for serial in range(10**10, 10**10 + 10**6)
        if sum(int(d) * w for d, w in zip(f"{serial:011d}", range(1, 12), strict=True)) % 11 == 10
    )
    second = sum(int(d) * w for d, w in zip(first_eleven, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), strict=True)) % 11
    assert iin_check_digit(first_eleven) == (None if second == 10 else second)


@pytest.mark.parametrize(
    "value, problem",
    [
        ("", "must be 12 digits"),
        ("12345678901", "must be 12 digits"),
        ("1234567890123", "must be 12 digits"),
        ("90011530001a", "must be 12 digits"),
        ("９００１１５３０００１１", "must be 12 digits"),  # full-width digits
        ("900115700011", "the 7th digit (century and sex) must be 1 to 6"),
        ("901315300011", "the first six digits are not a date of birth"),
        ("900230300011", "the first six digits are not a date of birth"),
    ],
)
def test_malformed_iins_are_refused_with_their_problem(value, problem):
    assert str(iin_problem(value)) == problem


def test_a_wrong_check_digit_is_refused():
    good = iin_make(date(1990, 1, 15), female=True, serial=123)
    assert good is not None and iin_is_valid(good)
    for digit in "0123456789":
        if digit != good[-1]:
            assert str(iin_problem(good[:-1] + digit)) == "the check digit does not match"


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    female=st.booleans(),
    serial=st.integers(min_value=0, max_value=9999),
)
def test_every_made_iin_is_valid_and_only_its_own_check_digit_fits(birth, female, serial):
    iin = iin_make(birth, female=female, serial=serial)
    if iin is None:
        return
    assert iin_is_valid(iin)
    assert [digit for digit in "0123456789" if iin_is_valid(iin[:11] + digit)] == [iin[11]]


@given(st.text(max_size=20))
def test_random_text_never_crashes(value):
    assert iin_is_valid(value) in (True, False)
