"""add_service_errors: a service's refusal shown against the field it names, or at the top."""

from django import forms
from django.core.exceptions import ValidationError

from vawg.core.forms import add_service_errors


class NameForm(forms.Form):
    full_name = forms.CharField()
    email = forms.EmailField()


def bound() -> NameForm:
    form = NameForm({"full_name": "Test Person", "email": "test@example.org"})
    assert form.is_valid()
    return form


def test_it_puts_each_message_against_the_field_the_service_named():
    form = bound()
    add_service_errors(form, ValidationError({"email": "That address is taken."}))
    assert form.errors == {"email": ["That address is taken."]}


def test_it_puts_a_message_for_no_field_of_the_form_at_the_top():
    form = bound()
    add_service_errors(form, ValidationError({"role": "Choose another role."}))
    assert form.non_field_errors() == ["Choose another role."]
    add_service_errors(form, ValidationError("Something as a whole is wrong."))
    assert form.non_field_errors() == ["Choose another role.", "Something as a whole is wrong."]


def test_it_renames_a_models_field_to_the_forms():
    form = bound()
    add_service_errors(
        form,
        ValidationError({"first_name": "Enter the name."}),
        rename={"first_name": "full_name"},
    )
    assert form.errors == {"full_name": ["Enter the name."]}
