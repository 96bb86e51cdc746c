from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError

from vawg.core.access import scoped
from vawg.core.forms import GovukDateField
from vawg.core.models import Organisation, Partnership, PartnershipBody
from vawg.strategy.models import MeasureOfSuccess, Quirk
from vawg.strategy.selectors import QuirkStatus, SearchOptions, lead_choices
from vawg.strategy.services import quirk_completion

NOTE_MAX = 2000


def _invalid_choice(field: forms.Field) -> None:
    field.error_messages["invalid_choice"] = f"Choose one of the options for “{field.label}”."


class ActionSearchForm(forms.Form):
    q = forms.CharField(
        label="Search actions",
        required=False,
        max_length=200,
        help_text="A reference such as AB.01, or words from the activity, measures or leads",
        error_messages={"max_length": "Search for 200 characters or fewer."},
    )
    priority = forms.ChoiceField(label="Priority", required=False)
    lead = forms.TypedChoiceField(label="Lead", required=False, coerce=int, empty_value=None)
    strategy = forms.ChoiceField(label="Strategy", required=False)

    def __init__(self, *args, options: SearchOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [("", "Any priority"), *options.priorities]
        self.fields["lead"].choices = [("", "Any lead"), *options.leads]
        self.fields["strategy"].choices = [("", "Any strategy"), *options.strategies]
        for name in ("priority", "lead", "strategy"):
            _invalid_choice(self.fields[name])
        filters = [Field.select("priority"), Field.select("lead")]
        if len(options.strategies) > 1:
            filters.append(Field.select("strategy"))
        self.helper = FormHelper()
        self.helper.disable_csrf = True  # sent by GET: a token would land in the address bar
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("q", label_size=Size.SMALL), *filters, Submit("search", "Search")
        )

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "priority": data.get("priority") or "",
            "lead": data.get("lead"),
            "strategy": data.get("strategy") or "",
        }


class QuirkFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=QuirkStatus.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose open, completed, or open and completed."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.disable_csrf = True  # sent by GET: a token would land in the address bar
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("status", legend_size=Size.SMALL, small=True), Submit("filter", "Filter")
        )

    def chosen_status(self) -> str:
        return self.cleaned_data.get("status") or QuirkStatus.ALL


# --- Completing a source quirk -------------------------------------------------


class QuirkForm(forms.Form):
    """The note every completion may carry; subclasses add what the quirk's code needs."""

    note_required = False
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=NOTE_MAX,
        error_messages={
            "required": "Enter a note saying how this quirk has been dealt with.",
            "max_length": f"The note must be {NOTE_MAX} characters or fewer.",
        },
    )

    def __init__(self, *args, quirk: Quirk, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.quirk = quirk
        self.partnership = partnership
        if self.note_required:
            self.fields["note"].required = True
            self.fields["note"].label = "How has this been dealt with?"
            self.fields[
                "note"
            ].help_text = (
                "For example, checked against the printed plan and kept as the source has it"
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *self.completion_fields(),
            Field.textarea("note", label_size=Size.SMALL, rows=4),
            Submit("complete", "Mark as completed"),
        )

    def completion_fields(self) -> list:
        return []

    def completion(self) -> dict:
        """Keyword arguments for services.quirk_resolve."""
        return {"note": self.cleaned_data.get("note") or ""}


class NoteForm(QuirkForm):
    note_required = True


class DirectionForm(QuirkForm):
    direction = forms.ChoiceField(
        label="Should this measure increase or decrease?",
        choices=MeasureOfSuccess.Direction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether this measure should increase or decrease.",
            "invalid_choice": "Choose whether this measure should increase or decrease.",
        },
    )

    def completion_fields(self) -> list:
        return [Field.radios("direction", legend_size=Size.MEDIUM, inline=True)]

    def completion(self) -> dict:
        return {**super().completion(), "direction": self.cleaned_data["direction"]}


class DeliverByForm(QuirkForm):
    deliver_by = GovukDateField(
        label="Deliver by",
        which="deliver-by",
        required_message="Enter the date this action is to be delivered by.",
        help_text="For example, 31 3 2026",
    )

    def completion_fields(self) -> list:
        return [Field("deliver_by", context={"legend_size": Size.for_legend(Size.MEDIUM)})]

    def completion(self) -> dict:
        return {**super().completion(), "deliver_by": self.cleaned_data["deliver_by"]}


class LeadForm(QuirkForm):
    """One choice across the partnership's organisations and bodies ("organisation-3", "body-7")."""

    lead = forms.ChoiceField(
        label="Who leads this action?",
        error_messages={
            "required": "Choose the organisation or body that leads this action.",
            "invalid_choice": "Choose an organisation or body from the list.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = lead_choices(partnership=self.partnership)
        self.fields["lead"].choices = [
            ("", "Choose an organisation or body"),
            ("Organisations", [(f"organisation-{pk}", n) for pk, n in choices["organisations"]]),
            ("Partnership bodies", [(f"body-{pk}", n) for pk, n in choices["bodies"]]),
        ]

    def completion_fields(self) -> list:
        return [Field("lead", context={"label_size": Size.for_label(Size.MEDIUM)})]

    def clean_lead(self) -> Organisation | PartnershipBody:
        kind, _, pk = self.cleaned_data["lead"].partition("-")
        model = Organisation if kind == "organisation" else PartnershipBody
        chosen = scoped(model.objects.all(), self.partnership).filter(pk=pk).first()
        if chosen is None:
            raise ValidationError("Choose an organisation or body from the list.")
        return chosen

    def completion(self) -> dict:
        chosen = self.cleaned_data["lead"]
        key = "organisation" if isinstance(chosen, Organisation) else "body"
        return {**super().completion(), key: chosen}


FORMS_BY_COMPLETION: dict[str, type[QuirkForm]] = {
    "direction": DirectionForm,
    "deliver_by": DeliverByForm,
    "lead": LeadForm,
    "": NoteForm,
}


def quirk_form(quirk: Quirk, partnership: Partnership, data=None) -> QuirkForm:
    """The form suited to the quirk's code (a note alone where nothing can be filled in)."""
    form_class = FORMS_BY_COMPLETION[quirk_completion(quirk)]
    return form_class(data, quirk=quirk, partnership=partnership)
