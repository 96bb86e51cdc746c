from itertools import groupby
from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from vawg.core.forms import GovukDateField
from vawg.core.models import Partnership
from vawg.voice import selectors
from vawg.voice.models import (
    ANSWER_MAX,
    FEEDBACK_MAX,
    Answer,
    Feedback,
    Question,
    SafeguardingRoute,
    Session,
    Theme,
)
from vawg.voice.validation import clean_public_text

HONEYPOT = "website"


class _Honeypot:
    """A field people never see (it is not displayed, so not announced or focusable either);
    a form-filling robot fills it in, and its submission is then quietly dropped."""

    def is_spam(self) -> bool:
        return bool((self.data.get(HONEYPOT) or "").strip())


def _honeypot_html() -> HTML:
    return HTML(
        '<div class="govuk-!-display-none"><label for="id_website">Leave this empty</label>'
        '<input type="text" name="website" id="id_website" autocomplete="off" tabindex="-1"></div>'
    )


# --- Public -------------------------------------------------------------------------


def _public_helper() -> FormHelper:
    """The template writes the <form> tag: these pages carry no CSRF token, because a
    token would set a cookie (they are CSRF-exempt; see vawg.core.safety)."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class FeedbackForm(_Honeypot, forms.Form):
    text = forms.CharField(
        label="Your feedback",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "Please do not include your name, contact details, "
            "or anything that could identify you or anyone else."
        ),
        # Length is checked in clean_text, so the message can say by how much.
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _public_helper()
        self.helper.layout = Layout(
            Field.textarea("text", label_size=Size.MEDIUM, max_characters=FEEDBACK_MAX),
            _honeypot_html(),
            Submit("send", "Send feedback"),
        )

    def clean_text(self) -> str:
        return clean_public_text(
            self.cleaned_data.get("text", ""),
            max_length=FEEDBACK_MAX,
            what="feedback",
            required=True,
        )


class SurveyForm(_Honeypot, forms.Form):
    """The survey's questions, every one optional."""

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(survey.questions.all())
        layout = []
        for question in self.questions:
            name = f"q{question.pk}"
            if question.kind == Question.Kind.YES_NO:
                self.fields[name] = forms.ChoiceField(
                    label=question.text,
                    help_text=question.hint,
                    choices=Answer.Choice.choices,
                    widget=forms.RadioSelect,
                    required=False,
                    error_messages={
                        "invalid_choice": f"Choose yes, no or not sure for “{question.text}”."
                    },
                )
                layout.append(Field.radios(name, legend_size=Size.SMALL, inline=True))
            else:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    help_text=f"{question.hint} Up to {ANSWER_MAX:,} characters.".strip(),
                    widget=forms.Textarea(attrs={"rows": 5}),
                    required=False,
                )
                layout.append(Field.textarea(name, label_size=Size.SMALL))
        self.helper = _public_helper()
        self.helper.layout = Layout(*layout, _honeypot_html(), Submit("send", "Send answers"))

    def clean(self):
        data = super().clean()
        for question in self.questions:
            name = f"q{question.pk}"
            if question.kind == Question.Kind.TEXT and name in data:
                try:
                    data[name] = clean_public_text(
                        data[name], max_length=ANSWER_MAX, what="answer", required=False
                    )
                except ValidationError as error:
                    self.add_error(name, error)
        if not self.errors and not any(data.get(f"q{q.pk}") for q in self.questions):
            raise ValidationError("Answer at least one question before you send the survey.")
        return data

    def replies(self) -> dict:
        from vawg.voice.services import Reply

        replies = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}") or ""
            if question.kind == Question.Kind.YES_NO:
                replies[question.pk] = Reply(choice=value)
            else:
                replies[question.pk] = Reply(text=value)
        return replies


# --- Staff ----------------------------------------------------------------------------


def _action_label(action) -> str:
    return f"{action.ref} – {action.activity[:110]}{'…' if len(action.activity) > 110 else ''}"


def _priority_legend(priority, *, with_strategy: bool) -> str:
    legend = f"Priority {priority.number}: {priority.title}" if priority.number else priority.title
    return f"{legend} ({priority.strategy.title})" if with_strategy else legend


# Where each kind of link is chosen from: the partnership's own, as the checkboxes list them.
_LINK_CHOICES = {
    "themes": selectors.themes_for,
    "actions": selectors.action_choices,
    "priorities": selectors.priority_choices,
}


class _LinkChoices:
    """Checkbox choices of this partnership's themes, actions and priorities."""

    partnership: Partnership
    cleaned_data: dict[str, Any]

    def _chosen(self, *names: str) -> dict[str, QuerySet]:
        """The ticked themes, actions or priorities as the partnership's own objects, as the
        services take them (they check again that each is the partnership's)."""
        return {
            name: _LINK_CHOICES[name](partnership=self.partnership).filter(
                pk__in=self.cleaned_data[name]
            )
            for name in names
        }

    def _set_action_choices(self, partnership: Partnership, heading_tag: str) -> Field:
        """A plan has dozens of actions: one GOV.UK fieldset per priority, the priority as
        its legend, so a long list can be scanned, and is announced in groups. Plain
        checkboxes: no JavaScript; the first box carries the field's id, so the error
        summary's link lands on it."""
        actions = list(selectors.action_choices(partnership=partnership))
        field = self.fields["actions"]
        field.choices = [(a.pk, _action_label(a)) for a in actions]
        chosen = {str(v) for v in (self["actions"].value() or [])}
        with_strategy = len({a.strategy_id for a in actions}) > 1
        groups = []
        for _, items in groupby(actions, key=lambda a: a.priority_id):
            items = list(items)
            groups.append(
                {
                    "legend": _priority_legend(items[0].priority, with_strategy=with_strategy),
                    "items": [
                        {"value": a.pk, "label": _action_label(a), "checked": str(a.pk) in chosen}
                        for a in items
                    ],
                }
            )
        number = 0
        for group in groups:
            for item in group["items"]:
                number += 1
                item["id"] = "id_actions" if number == 1 else f"id_actions_{number}"
        return Field(
            "actions",
            template="voice/_grouped_checkboxes.html",
            context={"groups": groups, "heading_tag": heading_tag},
        )

    def _priority_choices(self, partnership: Partnership) -> list[tuple[int, str]]:
        return [(p.pk, p.title) for p in selectors.priority_choices(partnership=partnership)]


def _checkboxes(label: str, help_text: str = "") -> forms.TypedMultipleChoiceField:
    field = forms.TypedMultipleChoiceField(
        label=label,
        help_text=help_text,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    field.error_messages["invalid_choice"] = f"Choose from the {label.lower()} listed."
    return field


class TriageForm(_LinkChoices, forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=Feedback.Status.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose new, triaged or closed.",
            "invalid_choice": "Choose new, triaged or closed.",
        },
    )
    safeguarding = forms.BooleanField(
        label="This suggests someone may be in danger: follow the safeguarding route",
        required=False,
    )
    themes = _checkboxes("Themes")
    actions = _checkboxes("Actions", "The actions in the plan this feedback bears on.")
    priorities = _checkboxes("Priorities")
    note = forms.CharField(
        label="Triage note (optional)",
        help_text="For colleagues. Do not copy identifying details from the feedback.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        error_messages={"max_length": "Keep the triage note to 2,000 characters or fewer."},
    )

    def __init__(
        self, data=None, *, partnership: Partnership, feedback: Feedback | None = None, **kwargs
    ):
        if data is None and feedback is not None:
            kwargs.setdefault("initial", _triage_initial(feedback))
        super().__init__(data, **kwargs)
        self.partnership = partnership
        self.fields["themes"].choices = [
            (t.pk, t.name) for t in selectors.themes_for(partnership=partnership)
        ]
        actions = self._set_action_choices(partnership, heading_tag="h3")
        self.fields["priorities"].choices = self._priority_choices(partnership)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.checkbox("safeguarding"),
            Field.radios("status", legend_size=Size.SMALL, inline=True),
            Field.checkboxes("themes", legend_size=Size.SMALL, small=True),
            Field.checkboxes("priorities", legend_size=Size.SMALL, small=True),
            actions,
            Field.textarea("note", label_size=Size.SMALL),
            Submit("save", "Save triage"),
        )

    def service_kwargs(self) -> dict[str, Any]:
        """The triage as services.feedback_triage takes it."""
        data = self.cleaned_data
        return {
            "status": data["status"],
            "safeguarding": data["safeguarding"],
            "note": data["note"],
            **self._chosen("themes", "actions", "priorities"),
        }


def _triage_initial(feedback: Feedback) -> dict[str, Any]:
    return {
        "status": feedback.status,
        "safeguarding": feedback.safeguarding,
        "themes": [t.pk for t in feedback.themes.all()],
        "actions": [a.pk for a in feedback.actions.all()],
        "priorities": [p.pk for p in feedback.priorities.all()],
        "note": feedback.triage_note,
    }


class ThemeForm(_LinkChoices, forms.Form):
    name = forms.CharField(
        label="Theme",
        max_length=120,
        error_messages={
            "required": "Enter a name for the theme.",
            "max_length": "Keep the theme's name to 120 characters or fewer.",
        },
    )
    you_said = forms.CharField(
        label="You said",
        help_text="What survivors told us, in summary. Shown publicly when published: "
        "no quotes or details that could identify anyone.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=3000,
        error_messages={"max_length": "Keep “You said” to 3,000 characters or fewer."},
    )
    we_did = forms.CharField(
        label="We did",
        help_text="What the partnership has done, or is doing, in response.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=3000,
        error_messages={"max_length": "Keep “We did” to 3,000 characters or fewer."},
    )
    actions = _checkboxes("Actions", "The actions in the plan taken in response.")
    priorities = _checkboxes("Priorities")
    published = forms.BooleanField(
        label="Publish on the public “You said, we did” page", required=False
    )

    def __init__(
        self, data=None, *, partnership: Partnership, theme: Theme | None = None, **kwargs
    ):
        if data is None and theme is not None:
            kwargs.setdefault("initial", _theme_initial(theme))
        super().__init__(data, **kwargs)
        self.partnership = partnership
        actions = self._set_action_choices(partnership, heading_tag="h2")
        self.fields["priorities"].choices = self._priority_choices(partnership)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("name", label_size=Size.SMALL),
            Field.textarea("you_said", label_size=Size.SMALL),
            Field.textarea("we_did", label_size=Size.SMALL),
            Field.checkboxes("priorities", legend_size=Size.SMALL, small=True),
            actions,
            Field.checkbox("published"),
            Submit("save", "Save theme"),
        )

    def service_kwargs(self) -> dict[str, Any]:
        """The theme as services.theme_save takes it."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "you_said": data["you_said"],
            "we_did": data["we_did"],
            "published": data["published"],
            **self._chosen("actions", "priorities"),
        }


def _theme_initial(theme: Theme) -> dict[str, Any]:
    return {
        "name": theme.name,
        "you_said": theme.you_said,
        "we_did": theme.we_did,
        "published": theme.published,
        "actions": [a.pk for a in theme.actions.all()],
        "priorities": [p.pk for p in theme.priorities.all()],
    }


class SessionForm(_LinkChoices, forms.Form):
    kind = forms.ChoiceField(
        label="Kind of session",
        choices=Session.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the kind of session.",
            "invalid_choice": "Choose the kind of session.",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Enter a title for the session.",
            "max_length": "Keep the title to 200 characters or fewer.",
        },
    )
    held_on = GovukDateField(
        which="session", label="Date held", required_message="Enter the date the session was held."
    )
    attendance = forms.IntegerField(
        label="How many took part (optional)",
        help_text="A number only. Never record names.",
        required=False,
        min_value=0,
        max_value=10000,
        # GOV.UK advises a text input for numbers: type=number mangles some input.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter how many took part as a whole number, like 8.",
            "min_value": "How many took part cannot be less than 0.",
            "max_value": "How many took part must be 10,000 or fewer.",
        },
    )
    summary = forms.CharField(
        label="What was discussed",
        help_text="By theme. No names or details that could identify anyone.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        error_messages={
            "required": "Enter what was discussed.",
            "max_length": "Keep the summary to 5,000 characters or fewer.",
        },
    )
    themes = _checkboxes("Themes")

    def __init__(
        self, data=None, *, partnership: Partnership, session: Session | None = None, **kwargs
    ):
        if data is None and session is not None:
            kwargs.setdefault("initial", _session_initial(session))
        super().__init__(data, **kwargs)
        self.partnership = partnership
        self.fields["themes"].choices = [
            (t.pk, t.name) for t in selectors.themes_for(partnership=partnership)
        ]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("title", label_size=Size.SMALL),
            Field("held_on", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Field.text("attendance", field_width=4, label_size=Size.SMALL),
            Field.textarea("summary", label_size=Size.SMALL),
            Field.checkboxes("themes", legend_size=Size.SMALL, small=True),
            Submit("save", "Save session"),
        )

    def service_kwargs(self) -> dict[str, Any]:
        """The session as services.session_save takes it."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "held_on": data["held_on"],
            "title": data["title"],
            "summary": data["summary"],
            "attendance": data["attendance"],
            **self._chosen("themes"),
        }


def _session_initial(session: Session) -> dict[str, Any]:
    return {
        "kind": session.kind,
        "title": session.title,
        "held_on": session.held_on,
        "attendance": session.attendance,
        "summary": session.summary,
        "themes": [t.pk for t in session.themes.all()],
    }


class SafeguardingRouteForm(forms.Form):
    text = forms.CharField(
        label="What staff should do",
        help_text="Step by step, when feedback suggests someone may be in danger. The feedback "
        "is anonymous: say how to act on what it says, not how to contact the sender.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
        error_messages={
            "required": "Enter what staff should do.",
            "max_length": "Keep the route to 3,000 characters or fewer.",
        },
    )
    contact = forms.CharField(
        label="Who to contact",
        help_text="A team, duty line or shared mailbox, not a named person.",
        max_length=300,
        error_messages={
            "required": "Enter who to contact.",
            "max_length": "Keep the contact to 300 characters or fewer.",
        },
    )
    notify_email = forms.EmailField(
        label="Mailbox to email when feedback is marked for the route (optional)",
        help_text="A shared team mailbox, not a named person. The email says only that an item "
        "needs attention, with a link to it: never what was written.",
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter an email address in the correct format, like duty@example.org.",
            "max_length": "Keep the email address to 254 characters or fewer.",
        },
    )

    def __init__(self, data=None, *, route: SafeguardingRoute | None = None, **kwargs):
        if data is None and route is not None:
            kwargs.setdefault(
                "initial",
                {"text": route.text, "contact": route.contact, "notify_email": route.notify_email},
            )
        super().__init__(data, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("text", label_size=Size.SMALL),
            Field.text("contact", label_size=Size.SMALL),
            Field.text("notify_email", label_size=Size.SMALL),
            Submit("save", "Save safeguarding route"),
        )


class TriageFilterForm(forms.Form):
    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=selectors.Show.CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose which feedback to show."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.radios("show", legend_size=Size.SMALL, small=True, inline=True),
            Submit("filter", "Show", css_class="govuk-button--secondary"),
        )

    def chosen(self) -> str:
        return self.cleaned_data.get("show") or selectors.Show.NEW
