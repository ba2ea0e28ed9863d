"""WCAG AA contrast of the pages' colours, computed from the stylesheets themselves: every rule that sets
both a text colour and an opaque background, and the severity badges (their colours come from several
rules: the severity's colour behind, white or ink in front), hold at least 4.5:1 (WCAG 2.x, 1.4.3)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

STATIC = Path(settings.BASE_DIR)
STYLESHEETS = [
    STATIC / "opscenter/static/opscenter/dashboard.css",
    STATIC / "opscenter/static/opscenter/console.css",
    STATIC / "appeals/static/appeals/appeals.css",
    STATIC / "bracelets/static/bracelets/bracelets.css",
]
AA_NORMAL_TEXT = 4.5


def relative_luminance(colour: str) -> float:
    red, green, blue = (int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5))

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def variables() -> dict[str, str]:
    css = STYLESHEETS[0].read_text()
    root = re.search(r":root\s*\{(.*?)\}", css, re.S).group(1)
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", root))


def resolve(value: str, names: dict[str, str]) -> str | None:
    """A CSS colour as #rrggbb, or None when it is not an opaque colour this test can judge."""
    value = value.strip().removesuffix("!important").strip()
    for _ in range(5):
        match = re.fullmatch(r"var\((--[\w-]+)(?:,\s*(.+))?\)", value)
        if not match:
            break
        value = names.get(match.group(1), match.group(2) or "").strip()
    if value in ("#fff", "white"):
        return "#ffffff"
    if value in ("#000", "black"):
        return "#000000"
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        return "#" + "".join(character * 2 for character in value[1:]).lower()
    if re.fullmatch(r"#[0-9a-fA-F]{6}", value):
        return value.lower()
    return None


def rules(css: str):
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        yield (
            " ".join(selectors.split()),
            dict((name.strip(), value.strip()) for name, value in re.findall(r"([\w-]+)\s*:\s*([^;]+)", body)),
        )


def test_contrast_is_computed_as_wcag_says():
    assert round(contrast("#ffffff", "#000000"), 2) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # the classic grey just under AA
    assert contrast("#595959", "#ffffff") >= 7


def pairs():
    names = variables()
    for sheet in STYLESHEETS:
        for selector, declarations in rules(sheet.read_text()):
            text = declarations.get("color")
            behind = declarations.get("background-color") or declarations.get("background")
            if not text or not behind:
                continue
            text_colour, behind_colour = resolve(text, names), resolve(behind, names)
            if text_colour and behind_colour:
                yield pytest.param(text_colour, behind_colour, id=f"{sheet.name}: {selector}")


@pytest.mark.parametrize("text, behind", list(pairs()))
def test_every_rule_with_text_and_background_holds_aa(text, behind):
    assert contrast(text, behind) >= AA_NORMAL_TEXT


@pytest.mark.parametrize("severity", [1, 2, 3, 4])
def test_the_severity_badges_hold_aa(severity):
    """The badge's background is the severity's colour (--row-colour); its text is white, or ink where a
    rule names the severity for a dark text (the light colours)."""
    names = variables()
    behind = resolve(f"var(--severity-{severity})", names)
    css = STYLESHEETS[0].read_text()
    text = "#ffffff"
    for selector, declarations in rules(css):
        if f'[data-severity="{severity}"] .severity-badge' in selector and "color" in declarations:
            text = resolve(declarations["color"], names)
    assert contrast(text, behind) >= AA_NORMAL_TEXT, (severity, text, behind, round(contrast(text, behind), 2))


def test_the_page_colours_of_text_hold_aa_on_both_backgrounds():
    names = variables()
    for text in ("--ink", "--muted", "--accent"):
        for behind in ("--surface", "--background"):
            assert contrast(resolve(f"var({text})", names), resolve(f"var({behind})", names)) >= AA_NORMAL_TEXT
