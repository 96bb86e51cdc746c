"""The MARAC forms: GOV.UK components through crispy-forms-gds, specific error messages."""

from datetime import date

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from vawg.core.access import scoped
from vawg.core.forms import GovukDateField
from vawg.core.models import Organisation
from vawg.exchange.forms import ImportOptionsForm, import_option_fields, table_upload_checked
from vawg.marac import dash
from vawg.marac.models import Choice3, LocalCriterion, MaracSettings, Referral
from vawg.marac.services import (
    CONFIDENTIALITY_STATEMENT,
    MAX_ATTACHMENT_BYTES,
    Identity,
    ReferralDetails,
)

TEXT_MAX = 2000
YES_NO = [("yes", "Yes"), ("no", "No")]


def _required(label: str) -> dict:
    return {"required": label, "invalid_choice": label}


def _field_for(form: forms.Form, name: str):
    """The GOV.UK component that suits each field, so forms need no hand-written layout."""
    field = form.fields[name]
    widget = field.widget
    if isinstance(field, GovukDateField):
        return Field(name, context={"legend_size": Size.for_legend(Size.SMALL)})
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return Field.checkboxes(name, legend_size=Size.SMALL, small=True)
    if isinstance(widget, forms.RadioSelect):
        inline = len(field.choices) <= 3
        return Field.radios(name, legend_size=Size.SMALL, inline=inline, small=True)
    if isinstance(widget, forms.Textarea):
        return Field.textarea(name, label_size=Size.SMALL, rows=3)
    if isinstance(widget, forms.Select):
        return Field(name, context={"label_size": Size.for_label(Size.SMALL)})
    if isinstance(field, forms.IntegerField):
        return Field.text(name, label_size=Size.SMALL, field_width=4)
    return Field.text(name, label_size=Size.SMALL)


def _helper(form: forms.Form, submit: str, *parts) -> FormHelper:
    for field in form.fields.values():
        if isinstance(field.widget, forms.NumberInput):
            # GOV.UK asks for a text input with a numeric keyboard, not type=number.
            field.widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(
        *(parts or [_field_for(form, name) for name in form.fields]), Submit("submit", submit)
    )
    return helper


def _yes_no(label: str, message: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages=_required(message),
    )


def _text(
    label: str,
    *,
    required: bool = False,
    message: str = "",
    help_text: str = "",
    textarea: bool = False,
    max_length: int = 200,
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=max_length,
        widget=forms.Textarea if textarea else None,
        error_messages={
            "required": message or f"Enter {label.lower()}.",
            "max_length": f"{label} must be {max_length} characters or fewer.",
        },
    )


def _count(label: str, *, help_text: str = "", maximum: int = 99) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=maximum,
        initial=0,
        help_text=help_text,
        error_messages={
            "required": f"Enter {label.lower()}, or 0.",
            "invalid": f"{label} must be a whole number, like 2.",
            "min_value": f"{label} must be 0 or more.",
            "max_value": f"{label} must be {maximum} or fewer.",
        },
    )


class BirthDateField(GovukDateField):
    """A date of birth: a real date in the past, from 1900."""

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            value = date(day=int(day), month=int(month), year=int(year))
        except ValueError as error:
            raise ValidationError(
                f"The {self.which} date must be a real date, for example 27 3 1990."
            ) from error
        if value.year < 1900 or value > date.today():
            raise ValidationError(
                f"The {self.which} date must be in the past, for example 27 3 1990."
            )
        return value


class ScreeningForm(forms.Form):
    disclosed = _yes_no(
        "Has the person told you they are being hurt, threatened, controlled or frightened "
        "by a partner, ex-partner or family member?",
        "Choose yes if the person disclosed abuse, or no if they did not.",
    )
    immediate_danger = _yes_no(
        "Are they in immediate danger?",
        "Choose whether the person is in immediate danger.",
        "If yes, call 999 now, then continue.",
    )
    agrees_to_checklist = _yes_no(
        "If they disclosed abuse, do they agree to answer the risk checklist with you now?",
        "Choose whether they agree to answer the risk checklist.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Continue")

    def values(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] == "yes" for k in ("disclosed", "immediate_danger", "agrees_to_checklist")}


class ChecklistForm(forms.Form):
    """The 24 DASH questions (yes / no / not known) and the other referral criteria."""

    police_incidents = _count(
        "Incidents reported to the police in the past 12 months",
        help_text="Count every call-out, criminal or not, from police records if you have them.",
    )
    police_crimes = _count("Of those, how many were recorded as crimes")
    professional_judgement = _yes_no(
        "Do you believe, on your professional judgement, that this case should go to MARAC?",
        "Choose whether you are referring on professional judgement.",
        "Judgement can add a reason to refer; it never lowers the checklist's score.",
    )
    judgement_reason = _text(
        "Reason for your professional judgement",
        textarea=True,
        max_length=TEXT_MAX,
        help_text="Needed if you answered yes above.",
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        questions = {}
        for number, text in enumerate(dash.QUESTIONS, start=1):
            questions[f"q{number}"] = forms.ChoiceField(
                label=f"{number}. {text}",
                choices=dash.Answer.CHOICES,
                widget=forms.RadioSelect,
                error_messages=_required(f"Answer question {number}: yes, no or not known."),
            )
        self.fields = {**questions, **self.fields}
        local = scoped(LocalCriterion.objects.filter(active=True), partnership)
        self.fields["local_criteria"] = forms.ModelMultipleChoiceField(
            label="Local criteria that apply",
            queryset=local,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="Your partnership's own referral criteria.",
            error_messages={"invalid_choice": "Choose only criteria from the list."},
        )
        if not local.exists():
            del self.fields["local_criteria"]
        after = [n for n in self.fields if not n.startswith("q")]
        self.helper = _helper(
            self,
            "Complete checklist",
            HTML(f'<p class="govuk-body-s">{dash.ATTRIBUTION} Version: {dash.VERSION}.</p>'),
            Fieldset(
                *[
                    Field.radios(f"q{n}", legend_size=Size.SMALL, inline=True, small=True)
                    for n in range(1, 25)
                ],
                legend="The risk identification checklist",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                *[_field_for(self, n) for n in after],
                legend="Other criteria",
                legend_size=Size.MEDIUM,
            ),
        )

    def clean(self):
        data = super().clean()
        if data.get("professional_judgement") == "yes" and not data.get("judgement_reason"):
            self.add_error("judgement_reason", "Give the reason for your professional judgement.")
        return data

    def values(self) -> dict:
        d = self.cleaned_data
        return {
            "answers": {n: d[f"q{n}"] for n in range(1, 25)},
            "police_incidents": d["police_incidents"],
            "police_crimes": d["police_crimes"],
            "professional_judgement": d["professional_judgement"] == "yes",
            "judgement_reason": d.get("judgement_reason") or "",
            "local_criteria": list(d.get("local_criteria") or []),
        }


def _choice(label, choices, message):
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, error_messages=_required(message)
    )


MAX_PERPETRATORS = 3
ORDINALS = {2: "second", 3: "third"}


def _perpetrator_age(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=10,
        max_value=120,
        error_messages={
            "invalid": f"{label.split(',')[0]} must be a whole number, like 34.",
            "min_value": f"{label.split(',')[0]} must be 10 or more.",
            "max_value": f"{label.split(',')[0]} must be 120 or less.",
        },
    )


def _perpetrator_fields(number: int) -> dict[str, forms.Field]:
    """A further perpetrator: the same identity fields as the first, all optional."""
    who = f"{ORDINALS[number].capitalize()} perpetrator's"
    prefix = f"perpetrator_{number}_"
    return {
        f"{prefix}name": _text(f"{who} full name"),
        f"{prefix}dob": BirthDateField(
            label=f"{who} date of birth (if known)",
            which=f"{ORDINALS[number]} perpetrator's birth",
            required=False,
        ),
        f"{prefix}age": _perpetrator_age(f"{who} age, if the date of birth is not known"),
        f"{prefix}address": _text(f"{who} address (if known)", textarea=True, max_length=500),
    }


class ReferralForm(forms.Form):
    referred_on = GovukDateField(
        label="Referral date",
        which="referral",
        required_message="Enter the referral date.",
        help_text="Today, or the day the referral was made if you are recording an earlier "
        "one. For example, 27 3 2026",
    )
    victim_name = _text("Victim's full name", required=True, message="Enter the victim's name.")
    victim_dob = BirthDateField(
        label="Victim's date of birth",
        which="victim's birth",
        required_message="Enter the victim's date of birth.",
        help_text="For example, 27 3 1990",
    )
    victim_address = _text("Victim's address", textarea=True, max_length=500)
    perpetrator_name = _text(
        "Perpetrator's full name", required=True, message="Enter the perpetrator's name."
    )
    perpetrator_dob = BirthDateField(
        label="Perpetrator's date of birth (if known)",
        which="perpetrator's birth",
        required=False,
    )
    perpetrator_age = forms.IntegerField(
        label="Perpetrator's age, if the date of birth is not known",
        required=False,
        min_value=10,
        max_value=120,
        error_messages={
            "invalid": "Enter the perpetrator's age as a whole number, like 34.",
            "min_value": "The perpetrator's age must be 10 or more.",
            "max_value": "The perpetrator's age must be 120 or less.",
        },
    )
    perpetrator_address = _text("Perpetrator's address (if known)", textarea=True, max_length=500)
    children_in_household = _count("Children in the household", maximum=30)
    victim_sex = _choice("Victim's sex", Referral.Sex.choices, "Choose the victim's sex.")
    victim_trans = _choice(
        "Is the victim's gender identity different from the sex registered at birth?",
        Choice3.choices,
        "Choose whether the victim's gender identity differs.",
    )
    victim_ethnicity = forms.ChoiceField(
        label="Victim's ethnic group",
        choices=[("", "Choose an ethnic group"), *Referral.Ethnicity.choices],
        error_messages=_required("Choose the victim's ethnic group, or not known."),
    )
    victim_sexual_orientation = forms.ChoiceField(
        label="Victim's sexual orientation",
        choices=[("", "Choose a sexual orientation"), *Referral.Orientation.choices],
        error_messages=_required("Choose the victim's sexual orientation, or not known."),
    )
    victim_disability = _choice(
        "Does the victim have a disability?",
        Choice3.choices,
        "Choose whether the victim has a disability.",
    )
    victim_aware = _yes_no(
        "Is the victim aware of this referral?",
        "Choose whether the victim is aware of the referral.",
    )
    victim_consented = _yes_no(
        "Has the victim consented to this referral?", "Choose whether the victim has consented."
    )
    no_consent_reason = _text(
        "Why are you referring without consent?",
        textarea=True,
        max_length=TEXT_MAX,
        help_text="Needed if the victim has not consented, for example a serious risk to life.",
    )
    must_not_receive = _text(
        "Must not receive: people and addresses this case's information must never go to",
        textarea=True,
        max_length=TEXT_MAX,
        help_text="One person or address on each line.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_on"].initial = date.today()
        further = {}
        for number in range(2, MAX_PERPETRATORS + 1):
            fields = _perpetrator_fields(number)
            self.fields.update(fields)
            further[f"{ORDINALS[number].capitalize()} perpetrator (if any)"] = list(fields)
        sections = {
            "The referral": ["referred_on"],
            "The victim": ["victim_name", "victim_dob", "victim_address", "children_in_household"],
            "The perpetrator": [
                "perpetrator_name",
                "perpetrator_dob",
                "perpetrator_age",
                "perpetrator_address",
            ],
            **further,
            "Monitoring": [
                "victim_sex",
                "victim_trans",
                "victim_ethnicity",
                "victim_sexual_orientation",
                "victim_disability",
            ],
            "Consent and safety": [
                "victim_aware",
                "victim_consented",
                "no_consent_reason",
                "must_not_receive",
            ],
        }
        parts = []
        for heading, names in sections.items():
            level = "h3" if heading in further else "h2"
            size = "s" if heading in further else "m"
            parts.append(HTML(f'<{level} class="govuk-heading-{size}">{heading}</{level}>'))
            parts.extend(_field_for(self, name) for name in names)
        self.helper = _helper(self, "Make referral", *parts)

    def clean_referred_on(self):
        value = self.cleaned_data["referred_on"]
        if value and value > date.today():
            raise ValidationError("The referral date must be today or in the past.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("victim_consented") == "no" and not data.get("no_consent_reason"):
            self.add_error("no_consent_reason", "Give the reason for referring without consent.")
        for number in range(2, MAX_PERPETRATORS + 1):
            prefix = f"perpetrator_{number}_"
            others = ("dob", "age", "address")
            if not data.get(f"{prefix}name") and any(data.get(prefix + o) for o in others):
                self.add_error(
                    f"{prefix}name",
                    f"Enter the {ORDINALS[number]} perpetrator's name, or clear their other "
                    "details.",
                )
        return data

    def details(self) -> ReferralDetails:
        d = self.cleaned_data
        perpetrators = [
            Identity(
                d["perpetrator_name"],
                d.get("perpetrator_dob"),
                d.get("perpetrator_address") or "",
                d.get("perpetrator_age"),
            ),
        ]
        for number in range(2, MAX_PERPETRATORS + 1):
            prefix = f"perpetrator_{number}_"
            if d.get(f"{prefix}name"):
                perpetrators.append(
                    Identity(
                        d[f"{prefix}name"],
                        d.get(f"{prefix}dob"),
                        d.get(f"{prefix}address") or "",
                        d.get(f"{prefix}age"),
                    )
                )
        return ReferralDetails(
            victim=Identity(d["victim_name"], d["victim_dob"], d.get("victim_address") or ""),
            perpetrators=perpetrators,
            victim_sex=d["victim_sex"],
            victim_ethnicity=d["victim_ethnicity"],
            victim_sexual_orientation=d["victim_sexual_orientation"],
            victim_disability=d["victim_disability"],
            victim_trans=d["victim_trans"],
            children_in_household=d["children_in_household"],
            victim_aware=d["victim_aware"] == "yes",
            victim_consented=d["victim_consented"] == "yes",
            no_consent_reason=d.get("no_consent_reason") or "",
            must_not_receive=(d.get("must_not_receive") or "").splitlines(),
        )


class NoteForm(forms.Form):
    text = _text(
        "Add a note", required=True, textarea=True, max_length=TEXT_MAX, message="Enter the note."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Add note")


def _organisations(partnership):
    return scoped(Organisation.objects.all(), partnership).order_by("name")


class SealForm(forms.Form):
    sealed = _yes_no("Restrict access to this case?", "Choose whether to restrict access.")
    reason = forms.ChoiceField(
        label="Why",
        required=False,
        choices=Referral.SealedReason.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a reason from the list."},
    )
    named = forms.ModelMultipleChoiceField(
        label="Named representatives who may still see it",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose only representatives from the list."},
    )

    def __init__(self, *args, representatives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["named"].queryset = representatives
        self.helper = _helper(self, "Save access")

    def clean(self):
        data = super().clean()
        if data.get("sealed") == "yes" and not data.get("reason"):
            self.add_error("reason", "Choose why access to this case is restricted.")
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="A PDF or Word (.docx) file, smaller than 10 MB.",
        error_messages={
            "required": "Choose a file to upload.",
            "empty": "The selected file is empty.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Upload", Field("file"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # Refused before it is read into memory (one refused as it arrived holds nothing).
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise ValidationError("The selected file must be smaller than 10 MB.")
        return upload

    def service_kwargs(self) -> dict:
        return {"data": self.cleaned_data["file"].read()}


class MeetingForm(forms.Form):
    held_on = GovukDateField(
        label="Meeting date", which="meeting", required_message="Enter the meeting date."
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Agencies invited",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose the agencies invited to the meeting.",
            "invalid_choice": "Choose only agencies from the list.",
        },
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = _organisations(partnership)
        self.helper = _helper(self, "Schedule meeting")


class AttendanceForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Agency",
        queryset=None,
        empty_label="Choose an agency",
        error_messages={
            "required": "Choose the attendee's agency.",
            "invalid_choice": "Choose an agency invited to this meeting.",
        },
    )
    attendee_name = _text(
        "Attendee's name", required=True, max_length=150, message="Enter the attendee's name."
    )
    accepted = forms.BooleanField(
        label="The attendee has read and accepted the confidentiality statement",
        error_messages={"required": "The attendee must accept the confidentiality statement."},
    )

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = meeting.invited_agencies.order_by("name")
        self.helper = _helper(
            self,
            "Record attendance",
            HTML(f'<div class="govuk-inset-text">{CONFIDENTIALITY_STATEMENT}</div>'),
            _field_for(self, "organisation"),
            _field_for(self, "attendee_name"),
            Field.checkbox("accepted", small=True),
        )


class CaseActionForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Agency responsible",
        queryset=None,
        empty_label="Choose an agency",
        error_messages={
            "required": "Choose the agency responsible.",
            "invalid_choice": "Choose an agency from the list.",
        },
    )
    description = _text(
        "Action", required=True, textarea=True, max_length=TEXT_MAX, message="Describe the action."
    )
    due_on = GovukDateField(
        label="Due date", which="due", required_message="Enter the date the action is due."
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations(partnership)
        self.helper = _helper(self, "Add action")


class CompleteActionForm(forms.Form):
    completed_on = GovukDateField(
        label="Date completed",
        which="completion",
        required_message="Enter the date the action was completed.",
    )
    note = _text("What was done", textarea=True, max_length=TEXT_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Mark as completed")

    def service_kwargs(self) -> dict:
        return {
            "completed_on": self.cleaned_data["completed_on"],
            "note": self.cleaned_data.get("note") or "",
        }


def _reference_field() -> forms.RegexField:
    return forms.RegexField(
        label="Case reference",
        required=False,
        regex=r"^\s*[Mm][Aa][Rr][Aa][Cc]-\d{1,6}\s*$",
        help_text="For example, MARAC-00017",
        error_messages={"invalid": "Enter a case reference like MARAC-00017."},
    )


class AccessLogFilterForm(forms.Form):
    reference = _reference_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            self, "Filter", Field.text("reference", label_size=Size.SMALL, field_width=10)
        )
        self.helper.form_tag = False
        # A GET form: no CSRF token, which would land in the address and the logs.
        self.helper.disable_csrf = True


class ActionFilterForm(forms.Form):
    """Which case actions to list: the home page's counts link to the same choices."""

    SHOW = [("all", "All actions"), ("open", "Open"), ("overdue", "Overdue")]
    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=SHOW,
        error_messages={"invalid_choice": "Choose all actions, open or overdue."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["show"].widget = forms.RadioSelect(choices=self.SHOW)
        self.helper = _helper(
            self, "Filter", Field.radios("show", legend_size=Size.SMALL, inline=True, small=True)
        )
        self.helper.disable_csrf = True  # a GET form: a token would land in the address

    @property
    def chosen(self) -> str:
        """What to show: the choice made, or every action."""
        return (self.cleaned_data.get("show") if self.is_valid() else "") or "all"


SHARE_KEYS = [
    ("minoritised_rate", "Black, Asian and racially minoritised residents (%)"),
    ("lgbt_rate", "LGBT+ residents (%)"),
    ("disabled_rate", "Disabled residents (%)"),
    ("male_rate", "Male residents aged 16 and over (%)"),
    ("age_16_17_rate", "Residents aged 16 or 17, of those 16 and over (%)"),
]


class SettingsForm(forms.ModelForm):
    class Meta:
        model = MaracSettings
        fields = [
            "women_16_plus",
            "population_source",
            "population_is_synthetic",
            "escalation_incidents",
            "escalation_crimes",
            "case_retention_months",
            "retention_action",
            "attachment_retention_months",
            "screening_retention_months",
            "chase_interval_days",
        ]
        labels = {
            "women_16_plus": "Women aged 16 and over in the area",
            "population_source": "Source of the population figures",
            "population_is_synthetic": "These population figures are synthetic (demo only)",
            "escalation_incidents": "Potential escalation: police incidents in 12 months",
            "escalation_crimes": "Potential escalation: crimes in 12 months (optional)",
            "case_retention_months": "Keep case records for (months)",
            "retention_action": "When a case record's retention ends",
            "attachment_retention_months": "Keep research packs and minutes for (months)",
            "screening_retention_months": "Keep screenings and unreferred checklists for (months)",
            "chase_interval_days": "Chase an overdue case action again every (days)",
        }
        help_texts = {
            "chase_interval_days": "From 1 to 90 days. The default is 7.",
        }
        widgets = {"retention_action": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shares = self.instance.population_shares or {}
        for key, label in SHARE_KEYS:
            self.fields[key] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=1,
                initial=shares.get(key),
                error_messages={
                    "invalid": f"{label} must be a number, like 12.5.",
                    "min_value": "Enter a percentage from 0 to 100.",
                    "max_value": "Enter a percentage from 0 to 100.",
                    "max_decimal_places": "Enter at most one decimal place.",
                },
            )
        for field in self.fields.values():
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = f"{field.label} must be a whole number."
                field.error_messages["required"] = f"Enter {field.label.lower()}."
        self.fields["escalation_incidents"].min_value = 1
        chase = self.fields["chase_interval_days"]
        chase.min_value, chase.max_value = 1, 90
        chase.validators += [MinValueValidator(1), MaxValueValidator(90)]
        for code in ("min_value", "max_value"):
            chase.error_messages[code] = "Enter a chase interval from 1 to 90 days."
        parts = []
        for name in self.fields:
            if name == "population_is_synthetic":
                parts.append(Field.checkbox(name, small=True))
            else:
                parts.append(_field_for(self, name))
        self.helper = _helper(self, "Save settings", *parts)

    def clean_escalation_incidents(self):
        value = self.cleaned_data["escalation_incidents"]
        if value < 1:
            raise ValidationError("The incidents threshold must be 1 or more.")
        return value

    def values(self) -> dict:
        d = self.cleaned_data
        values = {name: d[name] for name in self.Meta.fields}
        values["population_shares"] = {k: str(d[k]) for k, _ in SHARE_KEYS if d.get(k) is not None}
        return values


class CriterionForm(forms.Form):
    label = _text(
        "Criterion",
        required=True,
        message="Enter the criterion.",
        help_text="For example, so-called honour-based abuse",
    )
    code = forms.SlugField(
        label="Short code",
        max_length=40,
        help_text="Letters, numbers and hyphens, like hba",
        error_messages={
            "required": "Enter a short code.",
            "invalid": "The short code may use only letters, numbers and hyphens.",
        },
    )
    automatic_referral = _yes_no(
        "Does meeting it refer the case to MARAC automatically?",
        "Choose whether the criterion refers automatically.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Add criterion")


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label="Period", error_messages=_required("Choose a period."))

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.key, p.label) for p in periods]
        self.helper = _helper(self, "Show")
        self.helper.form_method = "get"
        # A GET form: no CSRF token, which would land in the address and the logs.
        self.helper.disable_csrf = True


class SubjectSearchForm(forms.Form):
    """Find a victim by a case reference, or by name and date of birth. Sent by POST, so
    that what is typed never lands in an address, a browser's history or a log."""

    reference = _reference_field()
    name = _text("Full name", max_length=200)
    dob = BirthDateField(
        label="Date of birth", which="birth", required=False, help_text="For example, 27 3 1990"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            self,
            "Find their cases",
            HTML('<h2 class="govuk-heading-m">By case reference</h2>'),
            Field.text("reference", label_size=Size.SMALL, field_width=10),
            HTML('<h2 class="govuk-heading-m">Or by name and date of birth</h2>'),
            HTML(
                '<p class="govuk-body">As given on the referral. The same name written with '
                "different capitals or spacing still matches; a different spelling does not."
                "</p>"
            ),
            Field.text("name", label_size=Size.SMALL),
            _field_for(self, "dob"),
        )

    def clean(self):
        data = super().clean()
        reference, name, dob = data.get("reference"), data.get("name"), data.get("dob")
        if self.errors:
            return data
        if reference and (name or dob):
            self.add_error(
                "reference",
                "Search by the case reference, or by name and date of birth, not both.",
            )
        elif not reference and not name and not dob:
            self.add_error(
                "reference", "Enter a case reference, or the person's name and date of birth."
            )
        elif not reference and not name:
            self.add_error("name", "Enter the person's full name as well as their date of birth.")
        elif not reference and not dob:
            self.add_error("dob", "Enter the person's date of birth as well as their name.")
        return data

    def values(self) -> dict:
        d = self.cleaned_data
        return {
            "reference": (d.get("reference") or "").strip().upper(),
            "name": d.get("name") or "",
            "dob": d.get("dob"),
        }


class SubjectAccessConfirmForm(forms.Form):
    reviewed = forms.BooleanField(
        label="I will read the free text in this file and remove anything about other people "
        "before any of it is released",
        error_messages={
            "required": "Confirm that you will review the file before any of it is released."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            self, "Download the file (XLSX)", Field.checkbox("reviewed", small=True)
        )


class NamedPackForm(forms.Form):
    """The coordinator's deliberate choice of the pack with names and addresses."""

    confirm = forms.BooleanField(
        label="I need the names, dates of birth and addresses in this pack, and will share it "
        "only as the MARAC agrees",
        error_messages={"required": "Confirm that you need the named version."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            self,
            "Download the named version (PDF)",
            Field.checkbox("confirm", small=True),
        )


MAX_HISTORY_BYTES = 5 * 1024 * 1024


class HistoryImportForm(ImportOptionsForm):
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV or Excel (.xlsx) file, smaller than 5 MB.",
        error_messages={
            "required": "Choose a CSV or Excel file to upload.",
            "empty": "The file is empty.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, "Upload and check", Field("file"), *import_option_fields())

    def clean_file(self):
        return table_upload_checked(self.cleaned_data["file"], max_bytes=MAX_HISTORY_BYTES)

    def service_kwargs(self) -> dict:
        upload = self.cleaned_data["file"]
        return {"data": upload, "filename": upload.name, **self.import_options()}
