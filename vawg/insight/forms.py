from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from vawg.core.models import Organisation
from vawg.insight.standard import CODED, FIELDS, STRAND, VICTIM_CHARACTERISTICS

NOT_IN_FILE = ""


def _choice_error(field: forms.Field) -> None:
    field.error_messages["invalid_choice"] = f"Choose one of the options for “{field.label}”."


class DashboardForm(forms.Form):
    """What to look at. One victim characteristic at a time: see docs/insight.md."""

    period = forms.ChoiceField(label="Period", required=False)
    strand = forms.ChoiceField(label="VAWG strand", required=False)
    ward = forms.TypedChoiceField(label="Ward", required=False, coerce=int, empty_value=None)
    partner = forms.TypedChoiceField(label="Partner", required=False, coerce=int, empty_value=None)
    victim = forms.ChoiceField(label="Victim characteristic", required=False)

    def __init__(self, *args, periods, wards=None, partners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = periods
        self.fields["strand"].choices = [("", "All strands"), *STRAND.codes]
        victim = [("", "All victims")]
        for vocabulary in VICTIM_CHARACTERISTICS:
            victim.append(
                (
                    vocabulary.label,
                    [(f"{vocabulary.name}:{code}", label) for code, label in vocabulary.codes],
                )
            )
        self.fields["victim"].choices = victim
        layout = [Field.select("period"), Field.select("strand")]
        if wards is not None:
            self.fields["ward"].choices = [("", "All wards"), *wards]
            layout.append(Field.select("ward"))
        else:
            del self.fields["ward"]
        if partners is not None:
            self.fields["partner"].choices = [("", "All partners"), *partners]
            layout.append(Field.select("partner"))
        else:
            del self.fields["partner"]
        layout.append(Field.select("victim"))
        for field in self.fields.values():
            _choice_error(field)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # A GET form: no CSRF token, which would land in the address and the logs.
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *layout, Submit("show", "Show", css_class="govuk-button--secondary")
        )

    def characteristic(self) -> tuple[str, str]:
        name, _, value = (self.cleaned_data.get("victim") or "").partition(":")
        return name, value


class UploadForm(forms.Form):
    partner = forms.ModelChoiceField(
        label="Which partner sent the file?",
        queryset=Organisation.objects.none(),
        empty_label="Choose a partner",
        error_messages={
            "required": "Choose the partner who sent the file.",
            "invalid_choice": "Choose one of the partnership's organisations.",
        },
    )
    file = forms.FileField(
        label="Upload the extract",
        help_text="A CSV (UTF-8) or Excel (.xlsx) file, with the column headings in the first row.",
        error_messages={"required": "Choose a file to upload.", "empty": "The file is empty."},
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["partner"].queryset = Organisation.objects.filter(partnership=partnership)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("partner"), Field("file"), Submit("upload", "Upload and continue")
        )
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def service_kwargs(self) -> dict:
        """The upload as `services.import_upload` takes it."""
        upload = self.cleaned_data["file"]
        return {
            "partnership": self.partnership,
            "partner": self.cleaned_data["partner"],
            "filename": upload.name,
            "data": upload,  # read where it lies, a piece at a time
        }


class ColumnMappingForm(forms.Form):
    """For each field of the standard, which of the file's headings holds it."""

    def __init__(self, *args, headers: list[str], initial_columns: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(NOT_IN_FILE, "Not in this file"), *[(h, h) for h in headers]]
        layout = []
        for f in FIELDS:
            self.fields[f.name] = forms.ChoiceField(
                label=f.label + ("" if f.required else " (optional)"),
                help_text=f.description,
                choices=choices,
                required=f.required,
                initial=initial_columns.get(f.name, NOT_IN_FILE),
                error_messages={"required": f"Choose the column that holds “{f.label}”."},
            )
            _choice_error(self.fields[f.name])
            layout.append(Field.select(f.name, label_size=Size.SMALL))
        self.helper = FormHelper()
        self.helper.layout = Layout(*layout, Submit("save", "Save mapping and check the file"))

    def columns(self) -> dict[str, str]:
        return {k: v for k, v in self.cleaned_data.items() if v}

    def clean(self):
        data = super().clean()
        chosen = [v for v in data.values() if v]
        for name, value in data.items():
            if value and chosen.count(value) > 1:
                self.add_error(name, f"The column “{value}” is chosen for more than one field.")
        return data


NOT_A_CODE = "-"  # a value that means nothing the standard holds: its rows are rejected


class ValueMappingForm(forms.Form):
    """For each value the standard does not read, which code (or ward) it means.

    A value that is simply wrong (a mistyped ward, an age of 300) must not be forced onto
    a code: "none of these" leaves it unmapped, so the check rejects its rows and the
    report tells the partner which to correct."""

    def __init__(self, *args, unknown: dict[str, list[str]], ward_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.keys: dict[str, tuple[str, str]] = {}
        layout = []
        labels = {f.name: f.label for f in FIELDS}
        for name, values in unknown.items():
            codes = [(w, w) for w in ward_names] if name == "ward" else list(CODED[name].codes)
            for i, value in enumerate(values):
                key = f"{name}__{i}"
                self.keys[key] = (name, value)
                self.fields[key] = forms.ChoiceField(
                    label=f"{labels[name]}: “{value}”",
                    choices=[
                        ("", "Choose what it means"),
                        *codes,
                        (NOT_A_CODE, "None of these: reject the rows that use it"),
                    ],
                    error_messages={"required": f"Choose what “{value}” means."},
                )
                _choice_error(self.fields[key])
                layout.append(Field.select(key, label_size=Size.SMALL))
        self.helper = FormHelper()
        self.helper.layout = Layout(*layout, Submit("save", "Save and check the file"))

    def mapped_values(self) -> dict[str, dict[str, str]]:
        mapped: dict[str, dict[str, str]] = {}
        for key, (name, value) in self.keys.items():
            if self.cleaned_data[key] != NOT_A_CODE:
                mapped.setdefault(name, {})[value] = self.cleaned_data[key]
        return mapped


class PopulationForm(forms.Form):
    file = forms.FileField(
        label="Upload population figures",
        help_text="CSV or .xlsx with columns year, ward, age_band, sex, ethnicity, people.",
        error_messages={"required": "Choose a file to upload.", "empty": "The file is empty."},
    )
    source = forms.CharField(
        label="Source of the figures",
        max_length=300,
        help_text="For example: GLA housing-led population projections, 2023-based.",
        error_messages={"required": "Say where the figures come from."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field("file"), Field.text("source"), Submit("upload", "Upload"))
        self.helper.attrs = {"enctype": "multipart/form-data"}

    def service_kwargs(self) -> dict:
        """The upload as `services.population_import` takes it."""
        upload = self.cleaned_data["file"]
        return {"data": upload, "filename": upload.name, "source": self.cleaned_data["source"]}
