"""The Kazakh individual identification number (ИИН): 12 digits, YYMMDD of birth, a digit for the century
and sex, four of a serial, and a check digit (weights 1..11 mod 11, then 3..11,1,2 when that gives 10;
a number whose check would still be 10 is never issued)."""

from datetime import date

from django.utils.translation import gettext_lazy as _

WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
CENTURIES = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def iin_check_digit(first_eleven: str) -> int | None:
    """The check digit of the first 11 digits, or None when no valid IIN starts with them."""
    digits = [int(character) for character in first_eleven]
    remainder = sum(d * w for d, w in zip(digits, WEIGHTS_FIRST, strict=True)) % 11
    if remainder == 10:
        remainder = sum(d * w for d, w in zip(digits, WEIGHTS_SECOND, strict=True)) % 11
    return None if remainder == 10 else remainder


def iin_problem(value: str):
    """Why `value` is not a valid IIN (a short phrase for people), or None when it is one."""
    if len(value) != 12 or not value.isascii() or not value.isdigit():
        return _("must be 12 digits")
    century = CENTURIES.get(value[6])
    if century is None and value[6] != "0":
        return _("the 7th digit (century and sex) must be 1 to 6")
    if century is not None:
        try:
            date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
        except ValueError:
            return _("the first six digits are not a date of birth")
    if iin_check_digit(value[:11]) != int(value[11]):
        return _("the check digit does not match")
    return None


def iin_is_valid(value: str) -> bool:
    return iin_problem(value) is None


def iin_make(birth: date, *, female: bool, serial: int) -> str | None:
    """A valid IIN for this birth date, sex and 4-digit serial, or None when that serial has no check
    digit (try the next one). For the demo and the tests."""
    century_digit = {1800: 1, 1900: 3, 2000: 5}[birth.year // 100 * 100] + int(female)
    first_eleven = f"{birth:%y%m%d}{century_digit}{serial:04d}"
    check = iin_check_digit(first_eleven)
    return None if check is None else first_eleven + str(check)
