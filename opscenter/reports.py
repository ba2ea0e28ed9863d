"""What every report page shares: the period it covers (a validated form of local days), its charts (inline
SVG drawn here, on the server: no script, no library, nothing fetched) and its CSV export. The alarm
response report and the appeals summary use them, so that every report reads and behaves alike."""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    """Local days `first` to `last`, both included; as moments, [since, until)."""

    first: date
    last: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def until(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range((self.last - self.first).days + 1)]


class PeriodForm(forms.Form):
    """From and to (local days, both included): from ≤ to, neither in the future, at most REPORT_MAX_DAYS
    days. Either left out takes its default: to is today, from is DEFAULT_DAYS days before to."""

    since = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, default_days: int = DEFAULT_DAYS, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.default_days = default_days

    def clean(self) -> dict:
        data = super().clean() or {}
        if self.errors:
            return data
        today = timezone.localdate()
        until = data.get("until") or today
        since = data.get("since") or min(until, today) - timedelta(days=self.default_days - 1)
        if until > today:
            self.add_error("until", _("The period cannot end in the future (today is %(today)s).") % {"today": today})
        if since > today:
            self.add_error("since", _("The period cannot start in the future."))
        if self.errors:
            return data
        if since > until:
            raise forms.ValidationError(_("The start of the period must not be after its end."), code="order")
        days = (until - since).days + 1
        if days > settings.REPORT_MAX_DAYS:
            raise forms.ValidationError(
                _("A report covers at most %(max)s days; this period has %(days)s.")
                % {"max": settings.REPORT_MAX_DAYS, "days": days},
                code="too_long",
            )
        data["since"], data["until"] = since, until
        return data

    @property
    def period(self) -> Period:
        return Period(first=self.cleaned_data["since"], last=self.cleaned_data["until"])

    @property
    def messages(self) -> list[str]:
        """Every error as one sentence with its field's name, for the page."""
        out = []
        for field, errors in self.errors.items():
            label = self.fields[field].label if field in self.fields else ""
            out += [f"{label}: {error}" if label else str(error) for error in errors]
        return out


# ---- charts


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: float
    y: float
    width: float
    height: float
    text: str  # the value as shown
    highlight: bool = False

    @property
    def cx(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class Chart:
    """A bar chart laid out for the template opscenter/_chart.html (inline SVG)."""

    title: str
    unit: str
    bars: list[Bar]
    width: int
    height: int
    top: float
    baseline: float
    maximum: float
    label_every: int

    @property
    def empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def bar_chart(
    *,
    title: str,
    bars: Sequence[tuple[str, float | None]],
    unit: str = "",
    highlight: Iterable[int] = (),
    width: int = 640,
    height: int = 220,
    decimals: int = 0,
) -> Chart:
    """Lay out `bars` (label, value; None counts as nothing) across `width` × `height`: a plot area above a
    row of labels, the tallest bar reaching the top. Labels thin out when there are many (a month of days)."""
    top, label_room, side = 18.0, 34.0, 8.0
    baseline = height - label_room
    values = [value or 0.0 for _label, value in bars]
    maximum = max(values, default=0.0) or 1.0
    count = max(1, len(bars))
    slot = (width - 2 * side) / count
    gap = min(6.0, slot * 0.2)
    marked = set(highlight)
    laid = []
    for index, ((label, value), amount) in enumerate(zip(bars, values, strict=True)):
        bar_height = (baseline - top) * amount / maximum
        laid.append(
            Bar(
                label=label,
                value=amount,
                x=round(side + index * slot + gap / 2, 1),
                y=round(baseline - bar_height, 1),
                width=round(slot - gap, 1),
                height=round(bar_height, 1),
                text="—" if value is None else f"{amount:.{decimals}f}",
                highlight=index in marked,
            )
        )
    label_every = max(1, -(-count // 16))
    return Chart(
        title=title,
        unit=unit,
        bars=laid,
        width=width,
        height=height,
        top=top,
        baseline=baseline,
        maximum=maximum,
        label_every=label_every,
    )


# ---- CSV


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    """A CSV download (UTF-8 with a byte-order mark, so that Excel reads Cyrillic; comma-separated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
