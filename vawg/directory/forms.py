from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.db.models import QuerySet

from vawg.core.forms import GovukDateField
from vawg.core.models import Partnership
from vawg.directory.models import Access, Area, Audience, Language, Need, Service
from vawg.directory.selectors import ListingStatus

ELSEWHERE = "elsewhere"

# The finder asks in a visitor's own words; each answer stands for one of the listings' codes.
WHAT_HAPPENED = [
    (Need.DOMESTIC_ABUSE, "Someone close to me is hurting, controlling or frightening me"),
    (Need.SEXUAL_VIOLENCE, "Rape or sexual assault, recently or in the past"),
    (Need.STALKING, "Someone keeps following, watching, contacting or harassing me"),
    (Need.FORCED_MARRIAGE, "I am being pressured to marry someone"),
    (Need.FGM, "Female genital mutilation (cutting), for me or a girl I know"),
    (Need.HONOUR, "My family or community are controlling me to protect their ‘honour’"),
    (
        Need.EXPLOITATION,
        "I am being pressured into sex for money, somewhere to stay or other things",
    ),
    (Need.OWN_BEHAVIOUR, "I am worried about how I treat someone and want to change"),
]
HELP_WANTED = [
    (Need.HELPLINE, "Someone to talk to"),
    (Need.REFUGE, "Somewhere safe to stay"),
    (Need.ADVOCACY, "Someone to support me with the police, courts or other services"),
    (Need.COUNSELLING, "Counselling or a support group"),
    (Need.LEGAL, "Legal advice"),
    (Need.HOUSING, "Help with housing"),
    (Need.CHILDREN, "Support for a child or young person"),
]
WHO = [
    (Audience.WOMEN, "A woman or girl"),
    (Audience.MEN, "A man or boy"),
    (Audience.LGBTQ, "Lesbian, gay, bisexual, trans or queer (LGBTQ+)"),
    (Audience.YOUNG, "Under 25"),
    (Audience.OLDER, "Over 60"),
    (Audience.DISABLED, "Disabled"),
    (Audience.DEAF, "Deaf"),
    (Audience.BLACK_MINORITISED, "From a Black or minoritised community"),
    (Audience.MIGRANT, "Worried about my immigration status"),
]


def _choice_messages(label: str) -> dict[str, str]:
    message = f"Choose {label} from the list."
    return {"invalid_choice": message, "invalid_list": message}


class FinderForm(forms.Form):
    """A few plain questions, every one optional. Sent by POST, so the answers stay out of
    the address bar and the browser's history."""

    what_happened = forms.MultipleChoiceField(
        label="What has happened?",
        required=False,
        choices=WHAT_HAPPENED,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply, or none if you are not sure.",
        error_messages=_choice_messages("what has happened"),
    )
    help_wanted = forms.MultipleChoiceField(
        label="What kind of help would you like?",
        required=False,
        choices=HELP_WANTED,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages=_choice_messages("the kind of help"),
    )
    who = forms.MultipleChoiceField(
        label="Are you any of these?",
        required=False,
        choices=WHO,
        widget=forms.CheckboxSelectMultiple,
        help_text="Some services are for particular people. Select all that apply.",
        error_messages=_choice_messages("who you are"),
    )
    where = forms.ChoiceField(
        label="Where do you live?",
        required=False,
        widget=forms.RadioSelect,
        error_messages=_choice_messages("where you live"),
    )
    language = forms.ChoiceField(
        label="What language would you like to use?",
        required=False,
        choices=[("", "English"), *[c for c in Language.choices if c[0] != Language.ENGLISH]],
        error_messages=_choice_messages("a language"),
    )

    def __init__(self, *args, areas: QuerySet[Partnership], **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = {p.slug: p for p in areas}
        self.fields["where"].choices = [
            *[(slug, p.name) for slug, p in self.areas.items()],
            (ELSEWHERE, "Somewhere else, or I would rather not say"),
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        # No CSRF token: it would set a cookie, and the finder is CSRF-exempt (no session,
        # so no authority, rides on it; see core.safety).
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            # Full-size controls: easier to hit on a small phone screen.
            Field.checkboxes("what_happened", legend_size=Size.MEDIUM),
            Field.checkboxes("help_wanted", legend_size=Size.MEDIUM),
            Field.checkboxes("who", legend_size=Size.MEDIUM),
            Field.radios("where", legend_size=Size.MEDIUM),
            Field("language", context={"label_size": Size.for_label(Size.MEDIUM)}),
            Submit("find", "Show services"),
        )

    def criteria(self) -> dict:
        """Keyword arguments for selectors.matching_services."""
        data = self.cleaned_data
        return {
            "partnership": self.areas.get(data.get("where") or ""),
            "needs": [*data.get("what_happened", []), *data.get("help_wanted", [])],
            "audiences": data.get("who", []),
            "language": data.get("language") or "",
        }


# --- Staff: keeping the listings ---------------------------------------------


class ListingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show",
        required=False,
        choices=ListingStatus.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose which listings to show from the list."},
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
        return self.cleaned_data.get("status") or ListingStatus.CURRENT


def _required(message: str) -> dict[str, str]:
    return {"required": message}


class ServiceForm(forms.ModelForm):
    """Add or change a listing. The sets of codes are plain multiple choices, saved by the
    service together with the listing."""

    needs = forms.MultipleChoiceField(
        label="What does it help with?",
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one thing this service helps with.",
            **_choice_messages("what it helps with"),
        },
    )
    audiences = forms.MultipleChoiceField(
        label="Who is it specifically for?",
        required=False,
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty if it is open to anyone.",
        error_messages=_choice_messages("who it is for"),
    )
    languages = forms.MultipleChoiceField(
        label="Languages it works in directly",
        required=False,
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_choice_messages("the languages"),
    )
    website = forms.URLField(
        label="Website (optional)",
        required=False,
        assume_scheme="https",
        help_text="The full address, starting https://",
        error_messages={"invalid": "Enter a website address starting https://"},
    )
    review_due = GovukDateField(
        label="Review by",
        which="review",
        required_message="Enter the date this listing must next be checked by.",
        help_text="For example, 31 3 2027",
    )

    class Meta:
        model = Service
        fields = [
            "provider",
            "name",
            "summary",
            "area",
            "interpreters",
            "phone",
            "text_number",
            "email",
            "website",
            "walk_in",
            "access",
            "opening_hours",
            "free",
            "confidential",
            "owner",
        ]
        labels = {
            "provider": "Provider",
            "name": "Service name",
            "summary": "What it offers",
            "area": "Who can use it, by where they live",
            "interpreters": "Can arrange an interpreter for other languages",
            "phone": "Phone number (optional)",
            "text_number": "Number for text messages (optional)",
            "email": "Email address (optional)",
            "website": "Website (optional)",
            "walk_in": "Walk-in details (optional)",
            "access": "How people can get help from it",
            "opening_hours": "Opening hours",
            "free": "It is free",
            "confidential": "It is confidential",
            "owner": "Owner",
        }
        help_texts = {
            "summary": "In plain words, as a survivor would read it. 1,000 characters or fewer.",
            "website": "The full address, starting https://",
            "owner": "The member of staff who keeps this listing up to date",
        }
        error_messages = {
            "provider": {
                **_required("Enter the provider's name."),
                "max_length": "The provider's name must be 150 characters or fewer.",
            },
            "name": {
                **_required("Enter the service's name."),
                "max_length": "The service's name must be 150 characters or fewer.",
            },
            "summary": {
                **_required("Enter what the service offers."),
                "max_length": "What it offers must be 1,000 characters or fewer.",
            },
            "email": {"invalid": "Enter an email address like name@example.org."},
            "website": {"invalid": "Enter a website address starting https://"},
            "opening_hours": {**_required("Enter the opening hours, or say it is 24 hours.")},
            "owner": {
                **_required("Choose who owns this listing."),
                "invalid_choice": "Choose an owner who is a member of this partnership.",
            },
            "area": _choice_messages("who can use it"),
            "access": _choice_messages("how people can get help"),
        }

    def __init__(self, *args, partnership: Partnership, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.partnership = partnership
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["area"].choices = Area.choices
        self.fields["access"].choices = Access.choices
        self.fields["area"].widget = forms.RadioSelect(choices=Area.choices)
        self.fields["access"].widget = forms.RadioSelect(choices=Access.choices)
        if self.instance.pk and not self.is_bound:
            self.initial.update(
                needs=sorted(self.instance.need_codes),
                audiences=sorted(self.instance.audience_codes),
                languages=sorted(self.instance.language_codes),
                review_due=self.instance.review_due,
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                Field.text("provider"),
                Field.text("name"),
                Field.textarea("summary", rows=4, max_characters=1000),
                legend="The service",
                legend_size=Size.MEDIUM,
            ),
            Field.checkboxes("needs", legend_size=Size.MEDIUM, small=True),
            Field.checkboxes("audiences", legend_size=Size.MEDIUM, small=True),
            Fieldset(
                Field.checkboxes("languages", small=True),
                Field.checkbox("interpreters", small=True),
                legend="Languages",
                legend_size=Size.MEDIUM,
            ),
            Field.radios("area", legend_size=Size.MEDIUM, small=True),
            Fieldset(
                Field.text("phone", field_width=20),
                Field.text("text_number", field_width=20),
                Field.text("email"),
                Field.text("website"),
                Field.text("walk_in"),
                Field.radios("access", small=True),
                Field.text("opening_hours"),
                Field.checkbox("free", small=True),
                Field.checkbox("confidential", small=True),
                legend="Making contact",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.select("owner"),
                Field("review_due"),
                legend="Keeping it up to date",
                legend_size=Size.MEDIUM,
            ),
            Submit("save", "Save listing"),
        )

    def _post_clean(self):
        # The service validates the listing as a whole (with its sets of codes), so the
        # model is not cleaned twice here; only the fields are.
        pass

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        return {
            **fields,
            "review_due": data["review_due"],
            "needs": data["needs"],
            "audiences": data.get("audiences", []),
            "languages": data.get("languages", []),
        }
