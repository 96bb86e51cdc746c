from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms

from vawg.core.forms import GovukDateField
from vawg.delivery.imports import FileColumns
from vawg.delivery.models import ProgressUpdate, Status
from vawg.delivery.selectors import NO_UPDATE, NO_UPDATE_LABEL, Filters
from vawg.delivery.services import COMMENTARY_MAX, Decision, UpdateInput
from vawg.exchange.forms import ImportOptionsForm, import_option_fields
from vawg.strategy.models import Action

TEXT_MAX = 2000


class UpdateForm(forms.Form):
    """The quarter's progress on one action. `version` is the version the person started
    from, so that a save over someone else's newer one is refused, not silently applied."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    status = forms.ChoiceField(
        label="Status this quarter",
        choices=Status.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the action's status.",
            "invalid_choice": "Choose one of the statuses listed.",
        },
    )
    commentary = forms.CharField(
        label="Commentary",
        required=False,
        widget=forms.Textarea,
        max_length=COMMENTARY_MAX,
        help_text="What happened this quarter. Do not name or describe anyone who uses services.",
        error_messages={"max_length": f"Commentary must be {COMMENTARY_MAX} characters or fewer."},
    )
    commentary_public = forms.BooleanField(
        label="The commentary may be published on the public action plan once approved",
        required=False,
    )
    next_milestone = forms.CharField(
        label="Next milestone",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea,
        error_messages={
            "max_length": f"The next milestone must be {TEXT_MAX} characters or fewer."
        },
    )
    next_milestone_date = GovukDateField(
        label="When is the next milestone due? (optional)",
        which="milestone",
        required=False,
        help_text="For example, 31 3 2026",
    )

    def __init__(self, *args, action: Action, update: ProgressUpdate | None, **kwargs):
        if not args or args[0] is None:
            kwargs.setdefault("initial", _initial(update))
        super().__init__(*args, **kwargs)
        self.measures = list(action.measures.all())
        measure_fields = []
        for measure in self.measures:
            name = f"measure_{measure.pk}"
            self.fields[name] = forms.CharField(
                label=str(measure),
                required=False,
                max_length=TEXT_MAX,
                widget=forms.Textarea,
                error_messages={"max_length": f"Keep each achievement to {TEXT_MAX} characters."},
            )
            measure_fields.append(Field.textarea(name, rows=2, label_size=Size.SMALL))
        self.helper = FormHelper()
        self.helper.form_tag = False
        parts = [
            "version",
            Field.radios("status", legend_size=Size.MEDIUM),
            Field.textarea("commentary", rows=6, label_size=Size.MEDIUM),
            Field.checkbox("commentary_public", small=True),
        ]
        if measure_fields:
            parts.append(
                Fieldset(
                    HTML(
                        '<p class="govuk-hint">What was achieved this quarter against each of '
                        "the action's measures.</p>"
                    ),
                    *measure_fields,
                    legend="How will we know we are making a difference?",
                    legend_size=Size.MEDIUM,
                )
            )
        parts += [
            Field.textarea("next_milestone", rows=2, label_size=Size.MEDIUM),
            Field("next_milestone_date", context={"legend_size": Size.for_legend(Size.SMALL)}),
            HTML('<div class="govuk-button-group">'),
            Submit("submit", "Submit for review"),
            Submit("save", "Save as draft", css_class="govuk-button--secondary"),
            HTML("</div>"),
        ]
        self.helper.layout = Layout(*parts)

    def to_input(self) -> UpdateInput:
        data = self.cleaned_data
        return UpdateInput(
            status=data["status"],
            commentary=data.get("commentary") or "",
            commentary_public=bool(data.get("commentary_public")),
            next_milestone=data.get("next_milestone") or "",
            next_milestone_date=data.get("next_milestone_date"),
            achievements={m.pk: data.get(f"measure_{m.pk}") or "" for m in self.measures},
        )

    def service_kwargs(self) -> dict:
        """What services.update_save needs from the form: "Submit for review" submits."""
        return {
            "data": self.to_input(),
            "version": self.cleaned_data["version"],
            "submit": "submit" in self.data,
        }


def _initial(update: ProgressUpdate | None) -> dict:
    if update is None:
        return {"version": 0}
    initial = {
        "version": update.version,
        "status": update.status,
        "commentary": update.commentary,
        "commentary_public": update.commentary_public,
        "next_milestone": update.next_milestone,
        "next_milestone_date": update.next_milestone_date,
    }
    for achievement in update.achievements.all():
        initial[f"measure_{achievement.measure_id}"] = achievement.text
    return initial


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(Decision.APPROVE, "Approve"), (Decision.RETURN, "Return for changes")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose to approve the update or return it.",
            "invalid_choice": "Choose to approve the update or return it.",
        },
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        widget=forms.Textarea,
        max_length=TEXT_MAX,
        help_text="Needed when you return an update: say what needs to change.",
        error_messages={"max_length": f"The comment must be {TEXT_MAX} characters or fewer."},
    )
    publish_commentary = forms.BooleanField(
        label="Publish the commentary on the public action plan",
        required=False,
    )

    def __init__(self, *args, update: ProgressUpdate, **kwargs):
        kwargs.setdefault(
            "initial",
            {"version": update.version, "publish_commentary": update.commentary_public},
        )
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        parts = [
            "version",
            Field.radios("decision", legend_size=Size.MEDIUM, inline=True),
            Field.textarea("comment", rows=4, label_size=Size.SMALL),
        ]
        if update.commentary:
            parts.append(Field.checkbox("publish_commentary", small=True))
        else:
            del self.fields["publish_commentary"]
        parts.append(Submit("review", "Record decision"))
        self.helper.layout = Layout(*parts)

    def service_kwargs(self) -> dict:
        """What services.update_review needs from the form. With no commentary to publish
        the question is not asked, and None leaves the update's choice as it was."""
        data = self.cleaned_data
        return {
            "decision": data["decision"],
            "comment": data.get("comment") or "",
            "version": data["version"],
            "publish_commentary": data.get("publish_commentary"),
        }


class EvidenceForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Enter a title for the evidence.",
            "max_length": "The title must be 200 characters or fewer.",
        },
    )
    url = forms.URLField(
        label="Link (web address)",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address starting https://"},
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text="PDF, PNG, JPEG, Word, Excel or PowerPoint, smaller than 10 MB",
        error_messages={"empty": "The file is empty."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("title", label_size=Size.SMALL),
            Field.text("url", label_size=Size.SMALL),
            Field("file", context={"label_size": Size.for_label(Size.SMALL)}),
            Submit("add", "Add evidence", css_class="govuk-button--secondary"),
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("url")) == bool(data.get("file")) and not self.errors:
            raise forms.ValidationError("Give either a link or a file, not both or neither.")
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"title": data["title"], "url": data.get("url") or "", "upload": data.get("file")}


class AssignLeadForm(forms.Form):
    organisation = forms.TypedChoiceField(
        label="Lead organisation",
        coerce=int,
        error_messages={
            "required": "Choose the organisation that leads this action.",
            "invalid_choice": "Choose an organisation from the list.",
        },
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "Choose an organisation")] + [
            (o.pk, o.name) for o in organisations
        ]


class DashboardFilterForm(forms.Form):
    period = forms.TypedChoiceField(label="Reporting period", coerce=int, required=False)
    priority = forms.ChoiceField(label="Priority", required=False)
    workstream = forms.TypedChoiceField(
        label="Workstream", coerce=int, required=False, empty_value=None
    )
    organisation = forms.TypedChoiceField(
        label="Lead organisation", coerce=int, required=False, empty_value=None
    )
    status = forms.ChoiceField(label="Status this period", required=False)

    def __init__(self, *args, periods, options: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.pk, p.label) for p in periods]
        self.fields["priority"].choices = [("", "Any priority")] + [
            (code, f"{code} – {title}") for code, title in options["priorities"]
        ]
        self.fields["workstream"].choices = [("", "Any workstream"), *options["workstreams"]]
        self.fields["organisation"].choices = [
            ("", "Any lead organisation"),
            *options["organisations"],
        ]
        self.fields["status"].choices = [
            ("", "Any status"),
            *Status.choices,
            (NO_UPDATE, NO_UPDATE_LABEL),
        ]
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = (
                f"Choose one of the options for “{field.label}”."
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A GET form: no CSRF token, which would land in the address and the logs.
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *[Field.select(name) for name in self.fields],
            Submit("filter", "Apply filters"),
        )

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            priority=data.get("priority") or "",
            workstream=data.get("workstream"),
            organisation=data.get("organisation"),
            status=data.get("status") or "",
        )


class SinceForm(forms.Form):
    since = GovukDateField(
        label="Changes approved since",
        which="since",
        required_message="Enter the date of the last board meeting.",
        help_text="The date of the last board meeting, for example 1 9 2025",
    )

    @classmethod
    def starting_from(cls, data, meeting) -> "SinceForm":
        """The form as asked (`data`), or, when nothing was asked, filled in with the date of
        the board's last meeting, so that nobody has to type it."""
        if not data and meeting is not None:
            day = meeting.held_on
            data = {"since_0": day.day, "since_1": day.month, "since_2": day.year}
        return cls(data or None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A GET form: no CSRF token, which would land in the address and the logs.
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field("since", context={"legend_size": Size.for_legend(Size.SMALL)}),
            Submit("show", "Show changes"),
        )


class ImportStartForm(forms.Form):
    kind = forms.ChoiceField(
        label="What does the spreadsheet hold?",
        choices=[
            ("updates", "Quarterly updates: one row per action and period"),
            ("plan", "The action plan: one row per action"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the spreadsheet holds."},
    )
    strategy = forms.ChoiceField(
        label="Which plan?", error_messages={"required": "Choose the plan to import into."}
    )
    file = forms.FileField(
        label="Spreadsheet",
        help_text="An Excel (.xlsx) or CSV file, smaller than 5 MB, with column headings in row 1",
        error_messages={
            "required": "Choose the spreadsheet to import.",
            "empty": "The file is empty.",
        },
    )

    def __init__(self, *args, strategies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strategy"].choices = [(s.slug, s.title) for s in strategies]
        self.fields["strategy"].error_messages["invalid_choice"] = "Choose a plan from the list."
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field.select("strategy"),
            Field("file", context={"label_size": Size.for_label(Size.SMALL)}),
            Submit("upload", "Upload and choose columns"),
        )


class MappingForm(ImportOptionsForm):
    """Which column of the file holds each thing we need; guessed from the headings. With
    the options every import's check page offers (the encoding, setting rows aside)."""

    def __init__(self, *args, columns: FileColumns, **kwargs):
        kwargs.setdefault("initial", columns.guessed)
        super().__init__(*args, **kwargs)
        targets, allow_approve = columns.targets, columns.allow_approve
        choices = [("", "Not in the file"), *[(h, h) for h in columns.headers]]
        for target in targets:
            self.fields[target.key] = forms.ChoiceField(
                label=target.label + ("" if target.required else " (optional)"),
                choices=choices,
                required=False,
                error_messages={"invalid_choice": "Choose one of the file's columns."},
            )
        if allow_approve:
            self.fields["approve"] = forms.BooleanField(
                label="Import these updates as approved (the workstream has already agreed them)",
                required=False,
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            *[Field.select(t.key) for t in targets],
            *([Field.checkbox("approve", small=True)] if allow_approve else []),
            *import_option_fields(),
            Submit("import", "Check and import"),
        )

    def mapping(self) -> dict[str, str]:
        options = {"approve", *ImportOptionsForm.base_fields}
        return {k: v for k, v in self.cleaned_data.items() if k not in options}

    def service_kwargs(self) -> dict:
        return {
            "mapping": self.mapping(),
            "approve": bool(self.cleaned_data.get("approve")),
            **self.import_options(),
        }


class PeriodDeadlineForm(forms.Form):
    """When a quarter's updates are due."""

    update_deadline = GovukDateField(
        label="Updates due by",
        which="deadline",
        required_message="Enter the date updates are due by.",
        help_text="On or after the quarter's last day, for example 14 1 2027",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
