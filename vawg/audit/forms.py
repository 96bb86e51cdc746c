from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError

from vawg.audit.models import AuditEvent


class FilterDateField(DateInputField):
    """A GOV.UK date input whose messages say which date and which part is wrong."""

    def __init__(self, *, which: str, **kwargs):
        self.which = which
        super().__init__(require_all_fields=False, required=False, **kwargs)
        for part, field in zip(("day", "month", "year"), self.fields, strict=True):
            field.error_messages["incomplete"] = f"Enter the {part} of the {which} date."
            field.validators[0].message = f"The {part} of the {which} date must be a number."

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            value = date(day=int(day), month=int(month), year=int(year))
        except ValueError as error:
            raise ValidationError(f"The {self.which} date must be a real date.") from error
        if not 2000 <= value.year <= 2100:
            raise ValidationError(f"Enter the {self.which} date with a four-digit year.")
        return value


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="What happened", required=False)
    actor = forms.TypedChoiceField(label="Who", required=False, coerce=int, empty_value=None)
    object_type = forms.ChoiceField(label="Type of record", required=False)
    date_from = FilterDateField(label="From", which="from", help_text="For example, 1 4 2025")
    date_to = FilterDateField(label="To", which="to", help_text="For example, 30 6 2025")

    def __init__(self, *args, members: list[tuple[int, str]], object_types: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Anything"), *AuditEvent.Action.choices]
        self.fields["actor"].choices = [("", "Anyone"), *members]
        self.fields["object_type"].choices = [("", "Any type")] + [(t, t) for t in object_types]
        for name in ("action", "actor", "object_type"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"Choose one of the options for “{self.fields[name].label}”."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A GET form: a CSRF token would end up in the address.
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.select("action"),
            Field.select("actor"),
            Field.select("object_type"),
            Field("date_from", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field("date_to", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Submit("filter", "Filter"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The to date must be the same as or after the from date.")
        return cleaned

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "action": data.get("action") or "",
            "actor_id": data.get("actor"),
            "object_type": data.get("object_type") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
