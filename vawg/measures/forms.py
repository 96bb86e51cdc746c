from crispy_forms.layout import HTML
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError

from vawg.core import metrics
from vawg.core.access import scoped
from vawg.core.metrics import Unit
from vawg.core.models import Organisation, Partnership, ReportingPeriod
from vawg.exchange.forms import ImportOptionsForm, import_option_fields
from vawg.measures.models import Direction, Disclosure, Frequency, Indicator, TargetKind
from vawg.measures.services import DEFINITION_FIELDS, LINK_FIELDS
from vawg.measures.status import Status
from vawg.strategy.models import Action, ActionMeasure, Objective, Priority

NOTE_MAX = 2000
UPLOAD_MAX_BYTES = 2 * 1024 * 1024
NOT_SET = ("", "Not known yet (flag it for an admin)")


def _number(label: str, required: bool = False, **kwargs) -> forms.DecimalField:
    what = label[0].lower() + label[1:]
    return forms.DecimalField(
        label=label,
        required=required,
        # A text input, as GOV.UK advises for numbers: no spinner, no scroll-to-change.
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        max_digits=14,
        decimal_places=3,
        error_messages={
            "required": f"Enter the {what}.",
            "invalid": f"The {what} must be a number, for example 42 or 12.5.",
            "max_digits": f"The {what} is too large.",
            "max_decimal_places": f"Give the {what} to no more than 3 decimal places.",
            "max_whole_digits": f"The {what} is too large.",
        },
        **kwargs,
    )


def _choice_messages(field: forms.Field) -> None:
    field.error_messages["invalid_choice"] = f"Choose one of the options for “{field.label}”."
    field.error_messages["required"] = f"Choose the {field.label.lower()}."


class _Labelled(forms.ModelMultipleChoiceField):
    def __init__(self, *args, labeller, **kwargs):
        self.labeller = labeller
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        return self.labeller(obj)


class IndicatorForm(forms.Form):
    LINKS = ("priorities", "goals", "actions", "action_measures")

    name = forms.CharField(
        label="Name",
        max_length=300,
        error_messages={
            "required": "Enter the indicator's name.",
            "max_length": "The name must be 300 characters or fewer.",
        },
    )
    definition = forms.CharField(
        label="Definition",
        widget=forms.Textarea,
        max_length=5000,
        help_text="What is counted, in plain English",
        error_messages={"required": "Enter a plain-English definition."},
    )
    unit = forms.ChoiceField(label="Unit", choices=Unit.choices, widget=forms.RadioSelect)
    numerator = forms.CharField(
        label="Numerator (optional)",
        required=False,
        max_length=300,
        help_text="For a rate or percentage: what is counted",
    )
    denominator = forms.CharField(
        label="Denominator",
        required=False,
        max_length=300,
        help_text="For a rate or percentage: what it is out of. Needed for rates and percentages.",
    )
    direction = forms.ChoiceField(
        label="Which direction is good?",
        required=False,
        choices=[*Direction.choices, NOT_SET],
        widget=forms.RadioSelect,
    )
    frequency = forms.ChoiceField(
        label="How often is it reported?", choices=Frequency.choices, widget=forms.RadioSelect
    )
    data_source = forms.CharField(label="Data source (optional)", required=False, max_length=300)
    owner = forms.ModelChoiceField(
        label="Owner organisation",
        required=False,
        queryset=Organisation.objects.none(),
        empty_label="No owner yet (only an admin can enter values)",
        help_text="Its staff enter the values",
    )
    disclosure = forms.ChoiceField(
        label="Who may see it?", choices=Disclosure.choices, widget=forms.RadioSelect
    )
    metric_key = forms.ChoiceField(label="Computed by the platform (optional)", required=False)
    baseline_value = _number("Baseline")
    baseline_period = forms.ModelChoiceField(
        label="Baseline period",
        required=False,
        queryset=ReportingPeriod.objects.none(),
        empty_label="No baseline yet",
        help_text="The period the baseline was measured in",
    )
    tolerance = _number(
        "Tolerance",
        required=True,
        min_value=0,
        initial=0,
        help_text="How far short of the target trajectory still counts as close, in the "
        "indicator's unit (for example 2 for two percentage points)",
    )
    priorities = _Labelled(
        label="Priorities",
        required=False,
        queryset=Priority.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        labeller=lambda p: f"{p.code} – {p.title}",
    )
    goals = _Labelled(
        label="Goals and objectives",
        required=False,
        queryset=Objective.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        labeller=lambda o: f"{o.priority.code} {o.number} {o.text[:120]}".replace("  ", " "),
    )
    actions = _Labelled(
        label="Actions",
        required=False,
        queryset=Action.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        labeller=lambda a: f"{a.ref} {a.activity[:120]}",
    )
    action_measures = _Labelled(
        label="Action measures (“how will we know we are making a difference?”)",
        required=False,
        queryset=ActionMeasure.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        labeller=lambda m: f"{m.action.ref} {m.label} {m.text[:140]}".replace("  ", " "),
    )

    @property
    def links_open(self) -> bool:
        return any(name in self.errors for name in self.LINKS)

    @staticmethod
    def initial_for(indicator: Indicator | None) -> dict:
        """The form's starting values: a new indicator's defaults, or `indicator` as it is."""
        if indicator is None:
            return {
                "tolerance": 0,
                "unit": "count",
                "frequency": "quarterly",
                "disclosure": "partnership",
            }
        initial = {name: getattr(indicator, name) for name in DEFINITION_FIELDS}
        for name in ("baseline_value", "tolerance"):
            if initial[name] is not None:  # 31, not 31.000
                initial[name] = format(initial[name].normalize(), "f")
        for name in LINK_FIELDS:
            initial[name] = list(getattr(indicator, name).all())
        return initial

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.filter(partnership=partnership)
        self.fields["baseline_period"].queryset = partnership.reporting_periods.all()
        self.fields["metric_key"].choices = [("", "No: values are entered")] + [
            (m.key, f"{m.label} ({Unit(m.unit).label.lower()})") for m in metrics.registered()
        ]
        self.fields["priorities"].queryset = scoped(Priority.objects.all(), partnership)
        self.fields["goals"].queryset = scoped(
            Objective.objects.select_related("priority"), partnership
        ).order_by("priority__order", "order")
        self.fields["actions"].queryset = scoped(Action.objects.all(), partnership)
        self.fields["action_measures"].queryset = scoped(
            ActionMeasure.objects.select_related("action"), partnership
        ).order_by("action__order", "order")
        for name in ("unit", "frequency", "disclosure", "direction", "owner", "metric_key"):
            _choice_messages(self.fields[name])
        for name in ("baseline_period",):
            _choice_messages(self.fields[name])
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                Field.text("name"),
                Field.textarea("definition", rows=4),
                Field.radios("unit", legend_size=Size.SMALL),
                Field.text("numerator"),
                Field.text("denominator"),
                Field.radios("direction", legend_size=Size.SMALL),
                Field.radios("frequency", legend_size=Size.SMALL, inline=True),
                Field.text("data_source"),
                Field.select("owner"),
                Field.radios("disclosure", legend_size=Size.SMALL),
                Field.select("metric_key"),
                legend="Definition",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("baseline_value", field_width=10),
                Field.select("baseline_period"),
                Field.text("tolerance", field_width=10),
                legend="Baseline and tolerance",
                legend_size=Size.MEDIUM,
            ),
            # The strategy's lists are long: folded away (it works without JavaScript),
            # and opened when one of them has an error.
            HTML(
                '<details class="govuk-details"{% if form.links_open %} open{% endif %}>'
                '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
                "What it evidences: priorities, goals, actions and action measures"
                '</span></summary><div class="govuk-details__text">'
            ),
            Field.checkboxes("priorities", legend_size=Size.SMALL, small=True),
            Field.checkboxes("goals", legend_size=Size.SMALL, small=True),
            Field.checkboxes("actions", legend_size=Size.SMALL, small=True),
            Field.checkboxes("action_measures", legend_size=Size.SMALL, small=True),
            HTML("</div></details>"),
            Submit("save", "Save indicator"),
        )


class TargetForm(forms.Form):
    year = forms.IntegerField(
        label="Reporting year",
        help_text="The year it starts in: 2026 for 2026/27",
        error_messages={
            "required": "Enter the reporting year.",
            "invalid": "Enter the year as four digits, for example 2026.",
        },
    )
    kind = forms.ChoiceField(
        label="The target is", choices=TargetKind.choices, widget=forms.RadioSelect
    )
    amount = _number(
        "Target",
        required=True,
        help_text="The value, or the % change from the baseline (negative for a fall). "
        "For a range: its lowest value.",
    )
    upper = _number("Highest value (ranges only)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_messages(self.fields["kind"])
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("year", field_width=4),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("amount", field_width=10),
            Field.text("upper", field_width=10),
            Submit("save", "Set target"),
        )


class ValueForm(forms.Form):
    period = forms.ModelChoiceField(
        label="Reporting period", queryset=ReportingPeriod.objects.none(), empty_label="Choose"
    )
    value = _number(
        "Value", help_text="Leave empty to work it out from the numerator and denominator"
    )
    numerator = _number("Numerator")
    denominator = _number("Denominator")
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=NOTE_MAX,
        help_text="Where the figure comes from, or why it is corrected",
        error_messages={"max_length": f"The note must be {NOTE_MAX} characters or fewer."},
    )

    def __init__(self, *args, periods, ratio: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
        _choice_messages(self.fields["period"])
        figures = [Field.text("value", field_width=10)]
        if ratio:
            figures += [
                Field.text("numerator", field_width=10),
                Field.text("denominator", field_width=10),
            ]
        else:
            del self.fields["numerator"], self.fields["denominator"]
            self.fields["value"].help_text = ""
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("period"),
            *figures,
            Field.textarea("note", rows=3),
            Submit("save", "Save value"),
        )


class ImportForm(ImportOptionsForm):
    file = forms.FileField(
        label="Upload a spreadsheet",
        help_text="CSV or Excel (.xlsx), up to 2 MB",
        error_messages={
            "required": "Choose a CSV or Excel file to upload.",
            "empty": "The file is empty.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("file"), *import_option_fields(), Submit("upload", "Check and import")
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > UPLOAD_MAX_BYTES:
            raise ValidationError("The file must be smaller than 2 MB.")
        return upload

    def service_kwargs(self) -> dict:
        upload = self.cleaned_data["file"]
        # The file itself, read where it lies a row at a time, never all at once.
        return {"data": upload, "filename": upload.name, **self.import_options()}


class ScorecardFilterForm(forms.Form):
    priority = forms.TypedChoiceField(
        label="Priority", required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Status.choices]
    )
    owner = forms.TypedChoiceField(label="Owner", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [("", "Any priority"), *options["priorities"]]
        self.fields["owner"].choices = [("", "Any owner"), *options["owners"]]
        for name in ("priority", "status", "owner"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"Choose one of the options for “{self.fields[name].label}”."
            )
        self.helper = FormHelper()
        self.helper.disable_csrf = True  # sent by GET: a token would land in the address bar
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.select("priority"),
            Field.select("status"),
            Field.select("owner"),
            Submit("filter", "Filter", css_class="govuk-button--secondary"),
        )

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "priority": data.get("priority"),
            "status": data.get("status") or "",
            "owner": data.get("owner"),
        }
