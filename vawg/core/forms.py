"""Form pieces shared by every app."""

from collections.abc import Mapping
from datetime import date

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError


class GovukDateField(DateInputField):
    """A GOV.UK date input (day, month, year) whose messages name the date and the part
    that is wrong: "Enter the month of the from date.", "The from date must be a real date."

    `which` names the date in messages ("from", "deliver-by").
    """

    def __init__(self, *, which: str, required_message: str = "", **kwargs):
        self.which = which
        super().__init__(require_all_fields=False, **kwargs)
        if required_message:
            self.error_messages["required"] = required_message
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
            raise ValidationError(
                f"The {self.which} date must be a real date, for example 31 3 2026."
            ) from error
        if not 2000 <= value.year <= 2100:
            raise ValidationError(f"Enter the {self.which} year as four digits, for example 2026.")
        return value


def add_service_errors(
    form: forms.Form, error: ValidationError, *, rename: Mapping[str, str] | None = None
) -> None:
    """Show a service's refusal in the form's error summary, against the right field.

    A service raises ValidationError with its model's field names; `rename` maps any that
    the form calls differently. A message for no field of the form goes at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (rename or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)
