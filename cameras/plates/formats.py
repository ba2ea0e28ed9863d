"""Plate formats (formats.toml) and the normalisation of a read text: upper case, Cyrillic look-alikes as
their Latin twins, separators dropped; then the format it fits, with the look-alikes a position cannot
hold (an O where a digit must be) corrected, the fewest corrections winning."""

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# Cyrillic letters that look like Latin ones, as plates and OCR give them.
CYRILLIC_TO_LATIN = str.maketrans("АВЕКМНОРСТУХавекмнорстух", "ABEKMHOPCTYXABEKMHOPCTYX")
# What OCR confuses: a letter where a digit must be, a digit where a letter must be.
AS_DIGIT = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "U": "0",
    "I": "1",
    "L": "1",
    "J": "1",
    "Z": "2",
    "S": "5",
    "B": "8",
    "G": "6",
    "T": "7",
}
AS_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "7": "T", "4": "A"}
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NOT_PLATE = re.compile(r"[^0-9A-Z]")


@dataclass(frozen=True)
class PlateFormat:
    country: str
    kind: str
    template: str
    region: tuple[int, int]
    display: str
    letters: str
    example: str

    def written(self, text: str) -> str:
        """The text as the plate shows it ("123ABC07" → "123 ABC 07")."""
        chars = iter(text)
        return "".join(next(chars, "") if slot not in " -" else slot for slot in self.display).strip()


@dataclass(frozen=True)
class Fitted:
    text: str  # corrected to the format
    format: PlateFormat
    corrections: int  # look-alikes corrected to fit

    @property
    def region(self) -> str:
        start, end = self.format.region
        return self.text[start:end]


def normalise(raw: str) -> str:
    """What a camera or OCR read, as plates are compared: upper-case Latin letters and digits only."""
    return _NOT_PLATE.sub("", raw.translate(CYRILLIC_TO_LATIN).upper())


@cache
def formats() -> tuple[PlateFormat, ...]:
    data = tomllib.loads((Path(__file__).with_name("formats.toml")).read_text(encoding="utf-8"))
    loaded = []
    for entry in data["format"]:
        start, end = (int(part) for part in entry["region"].split(":"))
        loaded.append(
            PlateFormat(
                country=entry["country"],
                kind=entry["kind"],
                template=entry["template"],
                region=(start, end),
                display=entry["display"],
                letters=entry.get("letters", LATIN),
                example=entry["example"],
            )
        )
    return tuple(loaded)


def fit(text: str, plate_format: PlateFormat, *, candidates: list[dict[str, float]] | None = None) -> Fitted | None:
    """The text fitted to the format, or None. Where a position cannot hold what was read, the best
    other reading of that position that it can hold is taken (`candidates`: per position, each character
    seen there with its weight), else the look-alike; each such change counts as one correction."""
    if len(text) != len(plate_format.template):
        return None
    fitted, corrections = [], 0
    for index, (char, slot) in enumerate(zip(text, plate_format.template, strict=True)):
        if _holds(slot, char, plate_format.letters):
            fitted.append(char)
            continue
        seen = candidates[index] if candidates else {}
        allowed = [c for c in sorted(seen, key=lambda c: -seen[c]) if _holds(slot, c, plate_format.letters)]
        if allowed:
            fitted.append(allowed[0])
        else:
            twin = AS_DIGIT.get(char) if slot == "9" else AS_LETTER.get(char) if slot == "A" else None
            if twin is None or not _holds(slot, twin, plate_format.letters):
                return None
            fitted.append(twin)
        corrections += 1
    return Fitted(text="".join(fitted), format=plate_format, corrections=corrections)


# What a plate carries beside its number: the country's mark by the flag (KZ), or after it (RUS).
COUNTRY_MARKS = ("RUS", "KZ", "RU", "KG", "UZ")


def plate_span(text: str) -> tuple[int, int] | None:
    """Where in a recognised line the plate number is: all of it, or all but a country's mark read
    with it ("KZ123ABC07"); None when no part fits a format."""
    if best_fit(text) is not None:
        return 0, len(text)
    for mark in COUNTRY_MARKS:
        if text.startswith(mark) and best_fit(text[len(mark) :]) is not None:
            return len(mark), len(text)
        if text.endswith(mark) and best_fit(text[: -len(mark)]) is not None:
            return 0, len(text) - len(mark)
    # A mark half read (the K of a KZ whose Z the flag swallowed): up to three letters either side.
    for cut in range(1, 4):
        if text[:cut].isalpha() and best_fit(text[cut:]) is not None:
            return cut, len(text)
        if text[-cut:].isalpha() and best_fit(text[:-cut]) is not None:
            return 0, len(text) - cut
    return None


def best_fit(text: str, *, candidates: list[dict[str, float]] | None = None, max_corrections: int = 2) -> Fitted | None:
    """The format the text fits with the fewest corrections (at most `max_corrections`), in the data's
    order on a tie; None when it fits none (a van's lettering, a badge, a half-read plate)."""
    best: Fitted | None = None
    for plate_format in formats():
        fitted = fit(text, plate_format, candidates=candidates)
        good = fitted is not None and fitted.corrections <= max_corrections
        if good and (best is None or fitted.corrections < best.corrections):  # type: ignore[union-attr]
            best = fitted
    return best


def _holds(slot: str, char: str, letters: str) -> bool:
    if slot == "9":
        return char.isdigit()
    if slot == "A":
        return char in letters
    return char == slot
