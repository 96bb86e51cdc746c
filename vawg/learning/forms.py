"""Forms for partnership learning: each form's `values()` are its service's arguments."""

from collections.abc import Sequence

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout
from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from vawg.core.access import scoped
from vawg.core.forms import GovukDateField
from vawg.core.models import Organisation, Partnership, ReportingPeriod
from vawg.core.tabular import Problem
from vawg.exchange.forms import ImportOptionsForm, import_option_fields, table_upload_checked
from vawg.learning.models import (
    CONFIDENCE_MAX,
    CONFIDENCE_MIN,
    CaseReview,
    Initiative,
    Participant,
    Recommendation,
    TrainingSession,
    attendee_reference_validator,
)
from vawg.strategy.models import Action

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# An .xlsx is a zip archive: refuse one that would expand to far more than it could hold.
TEXT_MAX = 5000
SCORES = [("", "Not answered")] + [
    (str(n), str(n)) for n in range(CONFIDENCE_MIN, 1 + CONFIDENCE_MAX)
]


def _required(field: forms.Field, message: str) -> None:
    field.error_messages["required"] = message


class LearningForm(forms.Form):
    """A GOV.UK form whose fields crispy-forms-gds lays out; the template adds the button."""

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
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages["max_length"] = (
                    f"{field.label} must be {field.max_length:,} characters or fewer."
                )

    def values(self) -> dict:
        return dict(self.cleaned_data)

    def _organisations(self, name: str) -> None:
        self.fields[name].queryset = scoped(Organisation.objects.all(), self.partnership)

    def _actions(self) -> None:
        field = self.fields["actions"]
        field.queryset = (
            scoped(Action.objects.all(), self.partnership)
            .select_related("strategy")
            .order_by("strategy__start_year", "priority__order", "order")
        )
        field.label_from_instance = lambda a: f"{a.ref}: {Truncator(a.activity).chars(90)}"


def _actions_field(help_text: str) -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        label="Linked actions (optional)",
        queryset=Action.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def _text(label: str, max_length: int = 200, required: bool = True, **kwargs) -> forms.CharField:
    field = forms.CharField(label=label, max_length=max_length, required=required, **kwargs)
    if required:
        _required(field, f"Enter the {label.lower()}.")
    return field


# --- Training -------------------------------------------------------------------


class CourseForm(LearningForm):
    title = _text("Title")
    description = _text("Description (optional)", TEXT_MAX, False, widget=forms.Textarea)
    co_produced = forms.BooleanField(label="Co-produced with survivors", required=False)
    actions = _actions_field("The strategy actions this course delivers, for example AB.04.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._actions()


class SessionForm(LearningForm):
    held_on = GovukDateField(
        label="Date held",
        which="session",
        required_message="Enter the date the session was held.",
        help_text="For example, 12 6 2026",
    )
    trainer = _text(
        "Trainer",
        help_text="The organisation or team that delivered it (not a person's name).",
    )
    format = forms.ChoiceField(
        label="Format", choices=TrainingSession.Format.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self.fields["format"], "Choose how the session was delivered.")


class AttendanceForm(LearningForm):
    attendee_reference = _text(
        "Attendee reference",
        30,
        help_text="A booking or staff number, for example WBC-1042. Never a name or initials.",
        validators=[attendee_reference_validator],
    )
    organisation = forms.ModelChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), empty_label="Choose"
    )
    confidence_before = forms.TypedChoiceField(
        label="Confidence before the session",
        choices=SCORES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text="1 is not at all confident, 5 is very confident.",
    )
    confidence_after = forms.TypedChoiceField(
        label="Confidence after the session",
        choices=SCORES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text="1 is not at all confident, 5 is very confident.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations("organisation")
        _required(self.fields["organisation"], "Choose the attendee's organisation.")
        self.fields["organisation"].error_messages["invalid_choice"] = (
            "Choose an organisation from the list."
        )


# --- Registers ------------------------------------------------------------------


class InitiativeForm(LearningForm):
    name = _text("Name", help_text="For example: White Ribbon accreditation")
    kind = forms.ChoiceField(label="Kind of initiative", choices=Initiative.Kind.choices)
    description = _text("Description (optional)", TEXT_MAX, False, widget=forms.Textarea)
    coverage_denominator = forms.IntegerField(
        label="How many could take part (optional)",
        required=False,
        min_value=1,
        max_value=100000,
        help_text="Needed for coverage, for example the number of schools in the borough.",
        error_messages={
            "invalid": "Enter how many could take part as a whole number, for example 62.",
            "min_value": "Enter a number of at least 1, or leave it empty.",
            "max_value": "Enter a number of 100,000 or fewer.",
        },
    )
    coverage_of = _text("Counted as (optional)", 100, False, help_text="For example: schools")
    reminder_days = forms.IntegerField(
        label="Renewal reminder: days before renewal is due",
        min_value=0,
        max_value=365,
        initial=60,
        error_messages={
            "required": "Enter how many days before renewal to send a reminder.",
            "invalid": "Enter the days as a whole number, for example 60.",
            "min_value": "Enter 0 or more days.",
            "max_value": "Enter 365 days or fewer.",
        },
    )
    actions = _actions_field("The strategy actions this register evidences, for example AB.06.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self.fields["kind"], "Choose the kind of initiative.")
        self._actions()

    def values(self) -> dict:
        values = super().values()
        values["coverage_of"] = values.get("coverage_of") or ""
        return values


class ParticipantForm(LearningForm):
    name = _text("Participant", help_text="The organisation, school or venue taking part.")
    organisation = forms.ModelChoiceField(
        label="Partnership organisation (optional)",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Not one of the partnership's organisations",
        help_text="Choose when the participant is one of the partnership's organisations.",
    )
    status = forms.ChoiceField(
        label="Status", choices=Participant.Status.choices, widget=forms.RadioSelect
    )
    started_on = GovukDateField(label="Started (optional)", which="start", required=False)
    renewal_due = GovukDateField(label="Renewal due (optional)", which="renewal", required=False)
    ended_on = GovukDateField(
        label="Ended (needed when lapsed or withdrawn)", which="end", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations("organisation")
        _required(self.fields["status"], "Choose the participant's status.")


# --- Case reviews ----------------------------------------------------------------


def _themes_field() -> forms.CharField:
    return forms.CharField(
        label="Learning themes (optional)",
        required=False,
        max_length=500,
        help_text="Separate themes with semicolons, e.g. Routine enquiry; Information sharing",
    )


def _split_themes(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(";") if t.strip()]


class ReviewForm(LearningForm):
    reference = _text(
        "Reference", 50, help_text="For example DHR 2023/01. Never a name or a pseudonym."
    )
    kind = forms.ChoiceField(
        label="Type of review",
        choices=CaseReview.Kind.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Domestic Homicide Reviews were renamed Domestic Abuse Related Death Reviews by the "
            "Victims and Prisoners Act 2024. Choose the name the review was commissioned under."
        ),
    )
    status = forms.ChoiceField(label="Status", choices=CaseReview.Status.choices)
    commissioned_on = GovukDateField(
        label="Commissioned",
        which="commissioned",
        required_message="Enter the date the review was commissioned.",
    )
    completed_on = GovukDateField(label="Completed (optional)", which="completed", required=False)
    published_on = GovukDateField(label="Published (optional)", which="published", required=False)
    report_url = forms.URLField(
        label="Published report link (optional)",
        required=False,
        max_length=500,
        assume_scheme="https",
        # A text input: crispy-forms-gds styles it as a GOV.UK input (it leaves type=url bare).
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
        error_messages={"invalid": "Enter a web address, for example https://example.org/dhr"},
    )
    themes = _themes_field()
    actions = _actions_field("The strategy actions this review's learning feeds, e.g. G.5.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _required(self.fields["kind"], "Choose the type of review.")
        self._actions()

    def values(self) -> dict:
        values = super().values()
        values["themes"] = _split_themes(values["themes"])
        values["report_url"] = values.get("report_url") or ""
        return values


class RecommendationForm(LearningForm):
    number = _text("Number", 10, help_text="As numbered in the review, for example 3.1")
    text = _text("Recommendation", TEXT_MAX, widget=forms.Textarea)
    owner = forms.ModelChoiceField(
        label="Owner organisation", queryset=Organisation.objects.none(), empty_label="Choose"
    )
    due_on = GovukDateField(
        label="Due date", which="due", required_message="Enter the date it is due."
    )
    status = forms.ChoiceField(
        label="Status", choices=Recommendation.Status.choices, widget=forms.RadioSelect
    )
    completed_on = GovukDateField(
        label="Completed (needed when completed)", which="completed", required=False
    )
    embedded_on = GovukDateField(
        label="Embedded (needed when embedded)", which="embedded", required=False
    )
    evidence = _text(
        "Evidence that the learning is embedded (needed when embedded)",
        TEXT_MAX,
        False,
        widget=forms.Textarea,
        help_text="For example an audit of practice, a changed policy or repeat training figures.",
    )
    themes = _themes_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations("owner")
        _required(self.fields["owner"], "Choose the organisation that owns this recommendation.")
        _required(self.fields["status"], "Choose the recommendation's status.")
        self.fields["owner"].error_messages["invalid_choice"] = (
            "Choose an organisation from the list."
        )

    def values(self) -> dict:
        values = super().values()
        values["themes"] = _split_themes(values["themes"])
        values["evidence"] = values.get("evidence") or ""
        return values


def initial_for(obj, form_class: type[LearningForm]) -> dict:
    """A form's initial values from an existing object (many-to-many and themes included)."""
    initial = {}
    for name in form_class.base_fields:
        value = getattr(obj, name, None)
        if name == "themes":
            value = "; ".join(t.name for t in obj.themes.all())
        elif name == "actions":
            value = list(obj.actions.all())
        initial[name] = value
    return initial


# --- Uploads and filters ----------------------------------------------------------


class ImportForm(ImportOptionsForm):
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV or Excel (.xlsx) file, up to 2 MB.",
        error_messages={
            "required": "Choose a CSV or Excel file to upload.",
            "empty": "The file is empty.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field("file"), *import_option_fields())

    def clean_file(self):
        upload = table_upload_checked(self.cleaned_data["file"], max_bytes=MAX_UPLOAD_BYTES)
        return upload.name, upload  # read where it lies, a row at a time


PROBLEMS_SALT = "learning.import-problems"
PROBLEMS_MAX_AGE = 60 * 60  # an hour to download the list after checking the file
PROBLEMS_MAX = 5000  # problems carried to the download; a file this bad needs starting again


class ProblemsForm(forms.Form):
    """A checked file's problem list, posted back from the import page to download.

    The uploaded file itself is never stored: the page carries the list, signed, and the
    signature stops anyone passing off their own rows as ours."""

    problems = forms.CharField(required=False, strip=False)

    @staticmethod
    def token_for(problems: Sequence[Problem]) -> str:
        """The list as the page carries it."""
        rows = [[p.row, p.column, p.value[:200], p.reason] for p in problems[:PROBLEMS_MAX]]
        return signing.dumps(rows, salt=PROBLEMS_SALT, compress=True)

    def clean_problems(self) -> list[Problem]:
        try:
            rows = signing.loads(
                self.cleaned_data["problems"], salt=PROBLEMS_SALT, max_age=PROBLEMS_MAX_AGE
            )
        except signing.BadSignature:
            # Expired or altered: the page asks for the file again rather than fail.
            raise ValidationError(
                "The list of problems has expired. Upload the file again."
            ) from None
        return [Problem(*row) for row in rows]


class PeriodForm(forms.Form):
    """Which reporting period the training figures cover ("" for all time)."""

    period = forms.TypedChoiceField(
        label="Sessions held in", required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.periods = {
            p.pk: p
            for p in ReportingPeriod.objects.filter(partnership=partnership).order_by("-start")
        }
        self.fields["period"].choices = [("", "All time")] + [
            (pk, p.label) for pk, p in self.periods.items()
        ]
        self.fields["period"].error_messages["invalid_choice"] = "Choose a period from the list."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # sent by GET: a token would land in the address bar

    def chosen(self) -> ReportingPeriod | None:
        return self.periods.get(self.cleaned_data.get("period"))


class RecommendationFilterForm(forms.Form):
    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("all", "All recommendations"), ("overdue", "Overdue only")],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose all recommendations or overdue only."},
    )
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = scoped(Organisation.objects.all(), partnership).order_by("name")
        self.fields["owner"].choices = [("", "Any owner")] + [(o.pk, o.name) for o in organisations]
        self.fields["owner"].error_messages["invalid_choice"] = "Choose an owner from the list."
        self.helper = FormHelper()
        self.helper.disable_csrf = True  # sent by GET: a token would land in the address bar
        self.helper.form_tag = False
