from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fluid, Layout, Size, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm

from vawg.accounts.models import Invitation, Membership, User
from vawg.accounts.selectors import organisations_of, workstreams_of
from vawg.accounts.services import username_for
from vawg.core.models import Partnership
from vawg.core.permissions import ROLES_NEEDING_REGION, Role


def _helper(*fields, submit: str) -> FormHelper:
    helper = FormHelper()
    # Templates write the <form> tag themselves, to add `next` and the action.
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*fields, Submit("submit", submit))
    return helper


class SignInForm(AuthenticationForm):
    # Never say which of the two was wrong: that would confirm a username exists.
    error_messages = {
        "invalid_login": "Enter a correct username and password.",
        "inactive": "Enter a correct username and password.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username."
        self.fields["password"].error_messages["required"] = "Enter your password."
        self.helper = _helper(
            Field.text("username", field_width=Fluid.ONE_HALF, autocomplete="username"),
            Field.text("password", field_width=Fluid.ONE_HALF, autocomplete="current-password"),
            submit="Sign in",
        )


class GovukPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = "Your current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "New password again"
        self.helper = _helper(
            Field.text("old_password", field_width=Fluid.ONE_HALF),
            Field.text("new_password1", field_width=Fluid.ONE_HALF),
            Field.text("new_password2", field_width=Fluid.ONE_HALF),
            submit="Change password",
        )


class GovukSetPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Password"
        self.fields["new_password2"].label = "Password again"
        self.helper = _helper(
            Field.text("new_password1", field_width=Fluid.ONE_HALF),
            Field.text("new_password2", field_width=Fluid.ONE_HALF),
            submit="Set password",
        )


class TwoFactorCodeForm(forms.Form):
    code = forms.RegexField(
        label="Code from your authenticator app",
        help_text="The 6 digits shown in the app, for example 123456.",
        regex=r"^\s*\d{6}\s*$",
        error_messages={
            "required": "Enter the 6-digit code from your authenticator app.",
            "invalid": "Enter the code as 6 digits, for example 123456.",
        },
    )

    def __init__(self, *args, submit: str = "Continue", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text(
                "code",
                field_width=Fluid.ONE_QUARTER,
                autocomplete="one-time-code",
                inputmode="numeric",
                spellcheck="false",
            ),
            submit=submit,
        )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


PARTNERSHIP_ROLE_CHOICES = [(r.value, r.label) for r in Role if r not in ROLES_NEEDING_REGION]


class MembershipFields(forms.Form):
    """Role, organisation and workstream, limited to the partnership's own."""

    role = forms.ChoiceField(
        label="Role",
        choices=PARTNERSHIP_ROLE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the role.",
            "invalid_choice": "Choose one of the roles listed.",
        },
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=None,
        empty_label="Choose the organisation",
        error_messages={
            "required": "Choose the organisation this person works for.",
            "invalid_choice": "Choose one of this partnership's organisations.",
        },
    )
    workstream = forms.ModelChoiceField(
        label="Workstream (workstream chairs only)",
        queryset=None,
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose one of this partnership's workstreams."},
    )

    def __init__(self, *args, partnership: Partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_of(partnership)
        self.fields["workstream"].queryset = workstreams_of(partnership)

    def membership_layout(self) -> list:
        return [
            Field.radios("role", legend_size=Size.SMALL, small=True),
            Field.select("organisation"),
            Field.select("workstream"),
        ]


class MemberInviteForm(MembershipFields):
    """An invitation goes to an email address: nothing here looks up an account."""

    email = forms.EmailField(
        label="Their work email address",
        max_length=150,
        help_text="We email them a link to accept the role, with their own account or a "
        "new one. You see their name once they accept.",
        error_messages={
            "required": "Enter the email address to send the invitation to.",
            "invalid": "Enter an email address like name@example.org.",
            "max_length": "Enter an email address of 150 characters or fewer.",
        },
    )

    field_order = ["email", "role", "organisation", "workstream"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("email", field_width=Fluid.TWO_THIRDS, spellcheck="false"),
            *self.membership_layout(),
            submit="Send invitation",
        )


class InvitationAccountForm(GovukSetPasswordForm):
    """A new account for whoever opened an invitation: their name and a password.

    `user` is the unsaved account, so that the password is checked against its name
    and address; the service makes it.
    """

    full_name = forms.CharField(
        label="Your full name",
        max_length=150,
        error_messages={"required": "Enter your full name."},
    )

    field_order = ["full_name", "new_password1", "new_password2"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.helper = _helper(
            Field.text("full_name", field_width=Fluid.ONE_HALF, autocomplete="name"),
            Field.text("new_password1", field_width=Fluid.ONE_HALF),
            Field.text("new_password2", field_width=Fluid.ONE_HALF),
            submit="Create account and accept",
        )

    @classmethod
    def for_invitation(cls, invitation: Invitation, data=None) -> "InvitationAccountForm":
        """The form for whoever opened `invitation` with no account: the account it would
        make, named for the invited address."""
        return cls(User(username=username_for(invitation.email), email=invitation.email), data)

    def clean(self):
        self.user.first_name = self.cleaned_data.get("full_name", "")
        return super().clean()

    def service_kwargs(self) -> dict[str, Any]:
        """The new account as services.invitation_accept_new_account takes it."""
        return {
            "full_name": self.cleaned_data["full_name"],
            "password": self.cleaned_data["new_password1"],
        }


class MemberChangeForm(MembershipFields):
    """A membership's role, organisation and workstream, starting from what it has now.

    An ended membership takes no change (its page shows no form): what is sent for one
    is not read, so nothing is checked or saved."""

    def __init__(self, data=None, *, membership: Membership, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "role": membership.role,
                "organisation": membership.organisation_id,
                "workstream": membership.workstream_id,
            },
        )
        super().__init__(None if membership.ended_at else data, **kwargs)
        self.helper = _helper(*self.membership_layout(), submit="Save changes")
