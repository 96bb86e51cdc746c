from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from vawg.audit.models import AuditEvent
from vawg.core.forms import GovukDateField


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="What happened", required=False)
    actor = forms.TypedChoiceField(label="Who", required=False, coerce=int, empty_value=None)
    object_type = forms.ChoiceField(label="Type of record", required=False)
    date_from = GovukDateField(
        label="From", which="from", required=False, help_text="For example, 1 4 2025"
    )
    date_to = GovukDateField(
        label="To", which="to", required=False, help_text="For example, 30 6 2025"
    )

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
