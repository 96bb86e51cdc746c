"""The choices every import's check page offers, the same on each: the file's text encoding
and what a problem in a row does. An app's upload or mapping form takes them by subclassing
ImportOptionsForm and placing `import_option_fields()` in its layout."""

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.core.exceptions import ValidationError

from vawg.core.encodings import ENCODINGS
from vawg.core.tabular import TableError, check_archive
from vawg.exchange.importing import ALL_OR_NOTHING, ON_PROBLEMS, SET_ASIDE

DETECT = ""


def table_upload_checked(upload, *, max_bytes: int):
    """An uploaded table as every import form takes it: within the size (refused before it
    is read into memory), a CSV or an Excel workbook by its name, and a workbook that opens
    as one (no archive bomb). Returns the upload; a refusal is a ValidationError for its field."""
    if upload.size > max_bytes:
        raise ValidationError(f"The file must be smaller than {max_bytes // (1024 * 1024)} MB.")
    name = upload.name.lower()
    if not name.endswith((".csv", ".xlsx")):
        raise ValidationError("The file must be a CSV or an Excel (.xlsx) file.")
    try:
        check_archive(upload, name)
    except TableError as error:
        raise ValidationError(str(error)) from None
    return upload


class ImportOptionsForm(forms.Form):
    encoding = forms.ChoiceField(
        label="Text encoding (CSV files only)",
        required=False,
        choices=[(DETECT, "Find it from the file"), *ENCODINGS],
        help_text=(
            "Leave this to be found from the file unless letters such as £ or é come out "
            "wrong. A CSV saved from Excel on Windows is usually Windows-1252."
        ),
        error_messages={"invalid_choice": "Choose an encoding from the list."},
    )
    on_problems = forms.ChoiceField(
        label="If some rows have problems",
        choices=ON_PROBLEMS,
        initial=ALL_OR_NOTHING,
        required=False,
        widget=forms.RadioSelect,
        help_text=(
            "Either way the import is all in one go. Rows set aside come back as a file to "
            "correct and upload again."
        ),
        error_messages={"invalid_choice": "Choose what to do with rows that have problems."},
    )

    def import_options(self) -> dict:
        """`run_import`'s `encoding` and `set_aside`, as chosen (all or nothing unless
        setting aside was asked for)."""
        return {
            "encoding": self.cleaned_data.get("encoding") or None,
            "set_aside": self.cleaned_data.get("on_problems") == SET_ASIDE,
        }


def import_option_fields() -> list:
    """The options, for an app form's layout."""
    return [
        Field.select("encoding"),
        Field.radios("on_problems", legend_size=Size.SMALL, small=True),
    ]
