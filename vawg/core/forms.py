"""Form pieces shared by every app."""

from datetime import date

from crispy_forms_gds.fields import DateInputField
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
