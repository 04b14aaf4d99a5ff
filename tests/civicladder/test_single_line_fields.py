"""Single-line form fields refuse control characters: a name never smuggles in a mail header."""

import pytest

from civicladder.access import Role

INJECTED = "Safety\r\nBcc: everyone@city.test"


@pytest.mark.parametrize("value", [INJECTED, "Tab\there", "Bell\x07", "Escape\x1b[2J"])
def test_a_name_with_control_characters_is_refused_with_a_message(client_as, value):
    data = {"email": "new.person@city.example.gov", "full_name": value, "roles": ["employee"]}
    response = client_as("admin").post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert "must be on one line, without control characters" in response.text


def test_the_rule_applies_to_every_packages_forms(client_as):
    hr = client_as(Role.HR)
    response = hr.post("/competencies/categories/new", data={"name": INJECTED})
    assert response.status_code == 422
    assert "must be on one line, without control characters" in response.text


def test_multi_line_fields_still_take_line_breaks(client_as):
    hr = client_as(Role.HR)
    data = {"name": "Field safety", "description": "First line.\r\nSecond line."}
    assert hr.post("/competencies/categories/new", data=data).status_code == 302


def test_ordinary_names_pass(client_as):
    data = {"email": "ana@city.example.gov", "full_name": "Ana María O'Neil-Ødegård", "roles": []}
    assert client_as("admin").post("/admin/users/new", data=data).status_code == 200


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_form_of_the_app_derives_from_the_base_form(app):
    from flask_wtf import FlaskForm

    from civicladder.forms import Form

    packages = ("civicladder", "people", "competencies", "hiring", "academy", "autonomy")
    ours = [
        cls
        for cls in _all_subclasses(FlaskForm)
        if cls.__module__.split(".")[0] in packages and cls is not Form
    ]
    assert ours, "the app's forms were not imported"
    assert [cls.__qualname__ for cls in ours if not issubclass(cls, Form)] == []
