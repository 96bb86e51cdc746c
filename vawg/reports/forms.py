"""Forms for reports and the bodies' meeting dates: each `values()` is its service's arguments."""

from datetime import date

from crispy_forms_gds.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from vawg.core.dates import DateError, parse_date
from vawg.core.forms import GovukDateField
from vawg.core.meetings import strategic_board
from vawg.core.models import Partnership, PartnershipBody, Region
from vawg.reports.kinds import KINDS
from vawg.reports.periods import YEAR, recent_periods
from vawg.reports.spec import Reader

MAX_DATES = 200
# Meeting dates are of this century: a year outside it is a typing slip.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class _Form(forms.Form):
    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.helper = FormHelper()
        self.helper.form_tag = False
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = (
                    f"Choose one of the options for “{field.label}”."
                )

    def _bodies(self, name: str) -> None:
        bodies = PartnershipBody.objects.filter(partnership=self.partnership)
        self.fields[name].queryset = bodies
        self.fields[name].error_messages["invalid_choice"] = "Choose one of the bodies listed."


class MakeReportForm(_Form):
    """Which report, for which period and body, in which format."""

    kind = forms.ChoiceField(
        label="Report",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which report to make."},
    )
    period = forms.ChoiceField(label="Period", required=False)
    body = forms.ModelChoiceField(
        label="For which body (board packs)",
        queryset=PartnershipBody.objects.none(),
        required=False,
    )
    fmt = forms.ChoiceField(
        label="Format",
        widget=forms.RadioSelect,
        choices=[
            ("all", "Every format it is made in"),
            ("pdf", "PDF"),
            ("docx", "Word (.docx)"),
            ("xlsx", "Excel (.xlsx)"),
        ],
        error_messages={"required": "Choose a format."},
    )
    reader = forms.ChoiceField(
        label="Who it is for",
        choices=[("", "The usual reader for this report"), *Reader.CHOICES],
        required=False,
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            (k.slug, f"{k.title} ({', '.join(f.upper() for f in k.formats)})")
            for k in KINDS.values()
        ]
        labels = {"quarter": [], "year": []}
        for period_kind in labels:
            labels[period_kind] = [
                p.label for p in recent_periods(self.partnership, period_kind, today)
            ]
        self.fields["period"].choices = [
            ("", "The last completed quarter (packs) or year (reports)"),
            *[(label, label) for label in labels["quarter"] + labels["year"]],
        ]
        self._bodies("body")
        board = strategic_board(self.partnership)
        if board is not None:
            self.fields["body"].initial = board.pk

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "period_text": data.get("period") or "",
            "body": data.get("body"),
            "fmt": data["fmt"],
            "reader": data.get("reader") or "",
        }


class RegionReturnForm(forms.Form):
    """The regional officer's return: which reporting year, and one borough or all."""

    period = forms.ChoiceField(
        label="Reporting year", error_messages={"required": "Choose a reporting year."}
    )
    partnership = forms.ModelChoiceField(
        label="Which partnership",
        queryset=Partnership.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label="Every partnership, in one workbook",
        error_messages={"invalid_choice": "Choose a partnership in this region, or every one."},
    )

    def __init__(self, *args, region: Region, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.helper = FormHelper()
        self.helper.form_tag = False
        partnerships = region.partnerships.order_by("name")
        self.fields["partnership"].queryset = partnerships
        first = partnerships.first()
        years = recent_periods(first, YEAR, today, count=4) if first else []
        self.fields["period"].choices = [(p.label, p.label) for p in years]
        self.fields["period"].error_messages["invalid_choice"] = (
            "Choose one of the reporting years listed."
        )

    def values(self) -> dict:
        data = self.cleaned_data
        return {"period_text": data["period"], "partnership": data.get("partnership")}


class MeetingForm(_Form):
    body = forms.ModelChoiceField(
        label="Body",
        queryset=PartnershipBody.objects.none(),
        error_messages={"required": "Choose the body that meets."},
    )
    held_on = GovukDateField(
        label="Date",
        which="meeting",
        required_message="Enter the date of the meeting.",
        help_text="Past or planned, for example 12 3 2026",
    )
    title = forms.CharField(label="Title (optional)", max_length=200, required=False)
    notes = forms.CharField(label="Notes (optional)", widget=forms.Textarea, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._bodies("body")
        board = strategic_board(self.partnership)
        if board is not None and not self.initial.get("body"):
            self.fields["body"].initial = board.pk

    def values(self) -> dict:
        return dict(self.cleaned_data)


class MeetingDatesForm(_Form):
    """Past meeting dates entered together, one a line (from minutes or a calendar)."""

    body = forms.ModelChoiceField(
        label="Body",
        queryset=PartnershipBody.objects.none(),
        error_messages={"required": "Choose the body that met."},
    )
    dates = forms.CharField(
        label="Meeting dates, one a line",
        help_text="For example 12/03/2025 or 12 March 2025. Dates already recorded are skipped.",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter at least one meeting date."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._bodies("body")
        board = strategic_board(self.partnership)
        if board is not None:
            self.fields["body"].initial = board.pk

    def clean_dates(self) -> list[date]:
        lines = [line.strip() for line in self.cleaned_data["dates"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_DATES:
            raise ValidationError(f"Enter at most {MAX_DATES} dates at a time.")
        found, wrong = [], []
        for number, line in enumerate(lines, start=1):
            try:
                day = parse_date(line, earliest=EARLIEST, today=LATEST)
            except DateError as error:
                wrong.append(f"line {number}: {str(error).split('; ')[0]}")
            else:
                found.append(day)
        if wrong:
            raise ValidationError(
                f"{'; '.join(wrong[:5])}{' and more' if len(wrong) > 5 else ''}. "
                "Write each date as day/month/year, for example 12/03/2025 or 12 March 2025."
            )
        return found

    def values(self) -> dict:
        return {"body": self.cleaned_data["body"], "dates": self.cleaned_data["dates"]}
