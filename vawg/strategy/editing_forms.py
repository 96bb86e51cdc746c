"""Forms for editing the plan: one per kind of item."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from vawg.core.access import scoped
from vawg.core.forms import GovukDateField
from vawg.core.models import PartnershipBody
from vawg.strategy.models import Action, Objective, Priority, Strategy

TEXT_MAX = 5000


def _messages(label: str, max_length: int | None = None) -> dict:
    messages = {"required": f"Enter the {label}."}
    if max_length:
        messages["max_length"] = f"The {label} must be {max_length} characters or fewer."
    return messages


class _PlanForm(forms.Form):
    def __init__(self, *args, strategy: Strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.strategy = strategy
        self.helper = FormHelper()
        self.helper.layout = Layout(*self.layout(), Submit("save", "Save"))

    def layout(self) -> list:
        return []

    def values(self) -> dict:
        return dict(self.cleaned_data)

    def service_kwargs(self) -> dict:
        """What editing.plan_item_save needs from the form."""
        return {"values": self.values()}


class PriorityForm(_PlanForm):
    code = forms.CharField(
        label="Code",
        max_length=10,
        help_text="Short, such as AB",
        error_messages=_messages("code", 10),
    )
    title = forms.CharField(label="Title", max_length=200, error_messages=_messages("title", 200))
    summary = forms.CharField(
        label="Summary (optional)", required=False, widget=forms.Textarea, max_length=TEXT_MAX
    )
    workstream = forms.ModelChoiceField(
        label="Workstream reviewing its updates",
        queryset=PartnershipBody.objects.none(),
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose a workstream from the list."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstream"].queryset = scoped(
            PartnershipBody.objects.all(), self.strategy.partnership
        )

    def layout(self) -> list:
        return [
            Field.text("code", field_width=5),
            Field.text("title"),
            Field.textarea("summary", rows=3),
            Field.select("workstream"),
        ]


class ObjectiveForm(_PlanForm):
    number = forms.CharField(label="Number (optional)", required=False, max_length=10)
    text = forms.CharField(
        label="Objective",
        widget=forms.Textarea,
        max_length=TEXT_MAX,
        error_messages=_messages("objective", TEXT_MAX),
    )

    def layout(self) -> list:
        return [Field.text("number", field_width=5), Field.textarea("text", rows=3)]


class ActionForm(_PlanForm):
    priority = forms.ModelChoiceField(
        label="Priority",
        queryset=Priority.objects.none(),
        error_messages={
            "required": "Choose the priority this action belongs to.",
            "invalid_choice": "Choose a priority from the list.",
        },
    )
    ref = forms.CharField(
        label="Reference", max_length=20, error_messages=_messages("reference", 20)
    )
    activity = forms.CharField(
        label="Activity",
        widget=forms.Textarea,
        max_length=TEXT_MAX,
        error_messages=_messages("activity", TEXT_MAX),
    )
    measures = forms.CharField(
        label="How will we know we are making a difference? (optional)",
        help_text="One measure per line",
        required=False,
        widget=forms.Textarea,
        max_length=TEXT_MAX,
    )
    deliver_by = GovukDateField(
        label="Deliver by (optional)",
        which="deliver-by",
        required=False,
        help_text="For example, 31 3 2026",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].queryset = self.strategy.priorities.filter(retired_at__isnull=True)

    def layout(self) -> list:
        return [
            Field.select("priority"),
            Field.text("ref", field_width=10),
            Field.textarea("activity", rows=4),
            Field.textarea("measures", rows=4),
            Field("deliver_by", context={"legend_size": Size.for_legend(Size.SMALL)}),
        ]

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "priority": data["priority"],
            "ref": data["ref"],
            "activity": data["activity"],
            "deliver_by": data.get("deliver_by"),
        }

    def measure_lines(self) -> list[str]:
        return (self.cleaned_data.get("measures") or "").splitlines()

    def service_kwargs(self) -> dict:
        # An action's measures are replaced by what the form lists.
        return {**super().service_kwargs(), "measures": self.measure_lines()}


FORMS = {"priority": PriorityForm, "objective": ObjectiveForm, "action": ActionForm}


def initial_for(obj) -> dict:
    if isinstance(obj, Priority):
        return {
            "code": obj.code,
            "title": obj.title,
            "summary": obj.summary,
            "workstream": obj.workstream_id,
        }
    if isinstance(obj, Objective):
        return {"number": obj.number, "text": obj.text}
    if isinstance(obj, Action):
        return {
            "priority": obj.priority_id,
            "ref": obj.ref,
            "activity": obj.activity,
            "deliver_by": obj.deliver_by,
            "measures": "\n".join(m.text for m in obj.measures.all()),
        }
    return {}


class RolloverForm(forms.Form):
    title = forms.CharField(
        label="Title of next year's plan", max_length=300, error_messages=_messages("title", 300)
    )
    slug = forms.SlugField(
        label="Short name for web addresses",
        max_length=50,
        help_text="Lower-case letters, numbers and hyphens, such as vawg-2025-26",
        error_messages={
            "required": "Enter a short name.",
            "invalid": "Use only lower-case letters, numbers and hyphens.",
        },
    )
    start_year = forms.IntegerField(label="Start year", min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label="End year", min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start_year", "end_year"):
            label = self.fields[name].label.lower()
            self.fields[name].error_messages.update(
                {
                    "required": f"Enter the {label}.",
                    "invalid": f"Enter the {label} as four digits, such as 2026.",
                    "min_value": f"Enter the {label} as four digits, such as 2026.",
                    "max_value": f"Enter the {label} as four digits, such as 2026.",
                }
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("title"),
            Field.text("slug", field_width=20),
            Field.text("start_year", field_width=4),
            Field.text("end_year", field_width=4),
            Submit("rollover", "Create next year's plan"),
        )
