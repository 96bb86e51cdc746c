from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from vawg.core.encodings import ENCODINGS
from vawg.core.models import Organisation
from vawg.exchange.importing import ALL_OR_NOTHING, ON_PROBLEMS, SET_ASIDE
from vawg.insight import derive
from vawg.insight.importer import DATE_FORMATS, Mapping
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
    source = forms.CharField(
        label="Which of the partner's extracts is it? (optional)",
        help_text="A name for this kind of extract, such as “Crime extract”, if the partner "
        "sends more than one. Its column matching is saved under this name for next time.",
        max_length=100,
        required=False,
    )
    file = forms.FileField(
        label="Upload the extract",
        help_text="A CSV or Excel (.xlsx) file, with the column headings in the first row.",
        error_messages={"required": "Choose a file to upload.", "empty": "The file is empty."},
    )
    encoding = forms.ChoiceField(
        label="How the CSV file's text is written (optional)",
        help_text="Leave it to be detected unless you know: you can change it when you "
        "check the file.",
        choices=[("", "Detect it"), *ENCODINGS],
        required=False,
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["partner"].queryset = Organisation.objects.filter(partnership=partnership)
        _choice_error(self.fields["encoding"])
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("partner"),
            Field.text("source"),
            Field("file"),
            Field.select("encoding"),
            Submit("upload", "Upload and continue"),
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
            "source": self.cleaned_data["source"],
            "encoding": self.cleaned_data["encoding"],
        }


FIXED = "fixed:"  # a choice of code for every row, in a field's column choice
GENERATED = "generated"
WORKED_OUT = f"derived:{derive.DA_FLAG}"
RECORD_ID_FROM = "record_id_from"


class ColumnMappingForm(forms.Form):
    """For each field of the standard, which of the file's headings holds it, or what fills
    it where the file has none: a value for every row, the strand worked out from a flag,
    a record id generated from other columns (derive.py). And how dates are written."""

    def __init__(self, *args, headers: list[str], initial: Mapping, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        columns = [(h, h) for h in headers]
        layout = []
        for f in FIELDS:
            choices: list = [(NOT_IN_FILE, "Not in this file"), ("Columns of the file", columns)]
            if f.name == "source_id":
                choices.append(("None in the file", [(GENERATED, "Generate one from columns")]))
            if f.name == "strand":
                choices.append(("Worked out", [(WORKED_OUT, derive.RULES[derive.DA_FLAG])]))
            if f.vocabulary is not None:
                same = [(FIXED + code, label) for code, label in f.vocabulary.codes]
                choices.append(("The same for every row", same))
            self.fields[f.name] = forms.ChoiceField(
                label=f.label + ("" if f.required else " (optional)"),
                help_text=f.description,
                choices=choices,
                required=f.required,
                initial=_initial_choice(f.name, initial),
                error_messages={"required": f"Choose the column that holds “{f.label}”."},
            )
            _choice_error(self.fields[f.name])
            layout.append(Field.select(f.name, label_size=Size.SMALL))
            if f.name == "source_id":
                self.fields[RECORD_ID_FROM] = forms.MultipleChoiceField(
                    label="Columns to generate the record id from",
                    help_text="Only if the file has no record id: choose columns that "
                    "together tell one record from another, such as the person, the date "
                    "and the offence.",
                    choices=columns,
                    required=False,
                    initial=initial.record_id_from,
                )
                layout.append(Field.checkboxes(RECORD_ID_FROM, legend_size=Size.SMALL))
            if f.name == "strand":
                rule = initial.derived.get("strand", {})
                for key, label in (
                    ("flag", "The flag column, for a worked-out strand"),
                    ("otherwise", "The column read where the flag is not set"),
                ):
                    self.fields[f"strand_{key}"] = forms.ChoiceField(
                        label=label,
                        choices=[(NOT_IN_FILE, "Not used"), *columns],
                        required=False,
                        initial=rule.get(key, NOT_IN_FILE),
                    )
                    _choice_error(self.fields[f"strand_{key}"])
                    layout.append(Field.select(f"strand_{key}", label_size=Size.SMALL))
        self.fields["date_format"] = forms.ChoiceField(
            label="How the file writes dates",
            choices=DATE_FORMATS,
            required=False,
            initial=initial.date_format,
        )
        _choice_error(self.fields["date_format"])
        layout.append(Field.select("date_format", label_size=Size.SMALL))
        self.helper = FormHelper()
        self.helper.layout = Layout(*layout, Submit("save", "Save mapping and check the file"))

    def _chosen(self) -> dict:
        """Each field's choice as the page shows it now: as sent, or as first offered."""
        if not self.is_bound:
            return {name: field.initial for name, field in self.fields.items()}
        chosen: dict = {name: self.data.get(name, "") for name in self.fields}
        chosen[RECORD_ID_FROM] = self.data.getlist(RECORD_ID_FROM)
        return chosen

    def mapping(self) -> Mapping:
        """The mapping the choices make: as cleaned once valid, else as sent or offered."""
        chosen = self.cleaned_data if self.is_bound and not self.errors else self._chosen()
        headers = set(self.headers)
        mapping = Mapping(date_format=chosen.get("date_format") or "")
        for f in FIELDS:
            choice = chosen.get(f.name) or ""
            if choice in headers:
                mapping.columns[f.name] = choice
            elif choice.startswith(FIXED) and f.vocabulary is not None:
                mapping.fixed[f.name] = choice.removeprefix(FIXED)
            elif choice == WORKED_OUT and f.name == "strand":
                mapping.derived["strand"] = {
                    "rule": derive.DA_FLAG,
                    "flag": chosen.get("strand_flag") or "",
                    "otherwise": chosen.get("strand_otherwise") or "",
                }
            elif choice == GENERATED and f.name == "source_id":
                picked = chosen.get(RECORD_ID_FROM) or []
                mapping.record_id_from = [h for h in picked if h in headers]
        return mapping

    def columns(self) -> dict[str, str]:
        return self.mapping().columns

    def extra(self) -> dict:
        """What the service saves beside the columns."""
        m = self.mapping()
        return {
            "date_format": m.date_format,
            "fixed": m.fixed,
            "derived": m.derived,
            "record_id_from": m.record_id_from,
        }

    def clean(self):
        data = super().clean()
        headers = set(self.headers)
        chosen = [v for k, v in data.items() if k in {f.name for f in FIELDS} and v in headers]
        for f in FIELDS:
            value = data.get(f.name)
            if value in headers and chosen.count(value) > 1:
                self.add_error(f.name, f"The column “{value}” is chosen for more than one field.")
        if data.get("source_id") == GENERATED and not data.get(RECORD_ID_FROM):
            self.add_error(RECORD_ID_FROM, "Choose the columns to generate the record id from.")
        if data.get("strand") == WORKED_OUT:
            for key in ("strand_flag", "strand_otherwise"):
                if not data.get(key):
                    self.add_error(key, "Choose a column to work the strand out from.")
        return data


def _initial_choice(name: str, mapping: Mapping) -> str:
    if name in mapping.columns:
        return mapping.columns[name]
    if name in mapping.fixed:
        return FIXED + mapping.fixed[name]
    if name in mapping.derived:
        return WORKED_OUT
    if name == "source_id" and mapping.record_id_from:
        return GENERATED
    return NOT_IN_FILE


class ImportChoicesForm(forms.Form):
    """The analyst's choices on the check page: what to do with rows that have problems,
    and with likely duplicates."""

    set_aside = forms.TypedChoiceField(
        label="Rows with problems",
        choices=[
            ("no", dict(ON_PROBLEMS)[ALL_OR_NOTHING]),
            ("yes", dict(ON_PROBLEMS)[SET_ASIDE]),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )
    duplicates_set_aside = forms.TypedChoiceField(
        label="Likely duplicates",
        choices=[
            ("yes", "Set them aside: they are records already stored, numbered afresh"),
            ("no", "Import them as new records: they are different incidents"),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args, data_import=None, **kwargs):
        if data_import is not None:
            kwargs.setdefault(
                "initial",
                {
                    "set_aside": "yes" if data_import.set_aside else "no",
                    "duplicates_set_aside": "yes" if data_import.duplicates_set_aside else "no",
                },
            )
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _choice_error(field)


class EncodingForm(forms.Form):
    encoding = forms.ChoiceField(
        label="Read the file as", choices=ENCODINGS, error_messages={"required": "Choose one."}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_error(self.fields["encoding"])


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
