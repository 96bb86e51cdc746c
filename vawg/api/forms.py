"""The form a partnership admin makes a partner API token with."""

from datetime import date, timedelta

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Size, Submit
from django import forms

from vawg.accounts.selectors import organisations_of
from vawg.api.models import ApiToken
from vawg.api.scopes import Scope
from vawg.api.tokens import token_problems
from vawg.core.forms import GovukDateField
from vawg.core.models import Partnership

DEFAULT_DAYS = 90  # how long a new token lasts unless the admin chooses otherwise
NAME_MAX = ApiToken._meta.get_field("name").max_length


def _helper(*fields, submit: str) -> FormHelper:
    helper = FormHelper()
    # The template writes the <form> tag and the CSRF token itself.
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


class TokenForm(forms.Form):
    """Name, organisation, scopes and expiry. The rules the service applies (a live name
    used once, an expiry within a year) are checked here too, so that every problem shows
    at once; the service checks them again when it makes the token."""

    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text="Say which system uses it, for example 'Police nightly figures pull'.",
        error_messages={
            "required": "Give the token a name that says which system uses it.",
            "max_length": f"Enter a name of {NAME_MAX} characters or fewer.",
        },
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=None,
        empty_label="Choose the organisation",
        help_text="The organisation whose system holds the token. It may send progress and "
        "measure values only for what this organisation leads or owns.",
        error_messages={
            "required": "Choose the organisation whose system uses the token.",
            "invalid_choice": "Choose one of this partnership's organisations.",
        },
    )
    scopes = forms.MultipleChoiceField(
        label="What may it do?",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose only what the system needs. Select all that apply.",
        error_messages={
            "required": "Choose at least one thing the token may do.",
            "invalid_choice": "Choose only from the list of what a token may do.",
        },
    )
    expires_on = GovukDateField(
        label="When does it expire?",
        which="expiry",
        required_message="Enter the date the token expires.",
        help_text="At most a year from today. The token stops working at the end of that day.",
    )

    def __init__(self, *args, partnership: Partnership, today: date, **kwargs):
        default = today + timedelta(days=DEFAULT_DAYS)
        kwargs.setdefault("initial", {"expires_on": default})
        super().__init__(*args, **kwargs)
        self.fields[
            "expires_on"
        ].help_text += f" For example, {default.day} {default.month} {default.year}"
        self.partnership, self.today = partnership, today
        self.fields["organisation"].queryset = organisations_of(partnership)
        self.helper = _helper(
            Field.text("name", field_width=Fluid.TWO_THIRDS, spellcheck="false"),
            Field.select("organisation"),
            Field.checkboxes("scopes", legend_size=Size.SMALL, small=True),
            Field("expires_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            submit="Make token",
        )

    def clean(self):
        data = super().clean()
        problems = token_problems(
            partnership=self.partnership,
            name=data.get("name") or "",
            scopes=data.get("scopes") or [],
            expires_on=data.get("expires_on"),
            today=self.today,
        )
        for field, message in problems.items():
            if field not in self.errors:  # the field's own message says it better
                self.add_error(field, message)
        return data
