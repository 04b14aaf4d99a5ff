"""Every list page's select filters (a GET argument with a fixed set of choices) refuse what is
not one of their choices: a 422 and a message naming the filter, never a 500, and never a
value acted on as if it were a choice. The pages' filters are found by reading each page."""

from __future__ import annotations

import re

import pytest

from tests.civicladder.test_access_matrix import ENDPOINTS, PLACEHOLDER_IDS, build_cases
from tests.civicladder.test_bad_input import allowed_role

# The select filters of each page, by endpoint: the <select>s of its GET forms, and `sort`
# where its column headings link to sort orders. test_every_page_declares_its_select_filters
# fails when a page has one that is not here.
SELECT_FILTERS = {
    "GET jobs.index": ("state",),
    "GET hiring.jobs": ("agency", "location", "schedule", "sort"),
    "GET hiring.new_round": ("job_profile",),
    "GET hiring.eligible_lists": ("job_profile",),
    "GET people.directory": ("department", "bargaining_unit", "job_profile", "status", "sort"),
    "GET academy.catalog": ("competency", "category", "mode", "sort"),
    "GET hiring.round_page": ("status",),
    # The audit log's action is open on purpose: a bookmark may name an action the list no
    # longer offers, and it is then shown as itself and searched for (OpenSelectField).
    "GET admin.audit_log": ("action",),
}
OPEN_FILTERS = {("GET admin.audit_log", "action")}
# Downloads of a page's list read the same filters as the page.
SAME_FILTERS = {"GET people.directory_csv": "GET people.directory"}

REFUSAL = "choose one of the listed options"
OUTSIDE_THE_CHOICES = [
    "   ",  # spaces alone: Optional() once let them past the choice check
    "\t",
    "nonsense",
    "-2",
    "99999999999",
    "2147483647",
    "name ",  # a real choice with a space after it is not that choice
    "x" * 300,
]

_DUMMY = build_cases(PLACEHOLDER_IDS)
PAGES = [
    e
    for e in ENDPOINTS
    if e.startswith("GET ") and e != "GET static" and allowed_role(_DUMMY[e]) is not None
]
_GET_FORM = re.compile(r"<form[^>]*method=\"get\"[^>]*>(.*?)</form>", re.S | re.I)
_SELECT_NAME = re.compile(r"<select[^>]*\bname=\"([^\"]+)\"", re.I)
_SORT_LINK = re.compile(r"href=\"[^\"]*[?&](?:amp;)?sort=", re.I)


def select_filters_on(html: str) -> set[str]:
    names = {name for form in _GET_FORM.findall(html) for name in _SELECT_NAME.findall(form)}
    if _SORT_LINK.search(html):
        names.add("sort")
    return names


@pytest.mark.parametrize("endpoint", PAGES)
def test_every_page_declares_its_select_filters(endpoint, world, client_for):
    case = build_cases(world)[endpoint]
    response = client_for(allowed_role(case)).get(case.url)
    if response.mimetype != "text/html":
        response.close()
        return
    found = select_filters_on(response.text)
    assert found == set(SELECT_FILTERS.get(endpoint, ())), (
        f"{case.url} has the select filters {sorted(found)}: list them in SELECT_FILTERS "
        "(and refuse values outside their choices with civicladder.forms.FilterSelectField)"
    )


CHECKED = [
    (endpoint, name, value)
    for endpoint in [*SELECT_FILTERS, *SAME_FILTERS]
    for name in SELECT_FILTERS[SAME_FILTERS.get(endpoint, endpoint)]
    if (SAME_FILTERS.get(endpoint, endpoint), name) not in OPEN_FILTERS
    for value in OUTSIDE_THE_CHOICES
]


@pytest.mark.parametrize("endpoint, name, value", CHECKED)
def test_a_value_outside_a_filters_choices_is_refused_with_a_message(
    endpoint, name, value, world, client_for
):
    case = build_cases(world)[endpoint]
    response = client_for(allowed_role(case)).get(case.url, query_string={name: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 422, f"{case.url}?{name}={value!r}: {response.status_code}"
    if endpoint in SAME_FILTERS:
        assert "filters could not be read" in body
    else:
        assert REFUSAL in body


@pytest.mark.parametrize("endpoint", [*SELECT_FILTERS, *SAME_FILTERS])
def test_blank_filters_show_everything(endpoint, world, client_for):
    case = build_cases(world)[endpoint]
    names = SELECT_FILTERS[SAME_FILTERS.get(endpoint, endpoint)]
    response = client_for(allowed_role(case)).get(case.url, query_string=dict.fromkeys(names, ""))
    response.close()
    assert response.status_code == 200


@pytest.mark.parametrize("endpoint", list(SELECT_FILTERS))
def test_every_offered_choice_is_accepted(endpoint, world, client_for):
    case = build_cases(world)[endpoint]
    client = client_for(allowed_role(case))
    page = client.get(case.url).text
    for form in _GET_FORM.findall(page):
        for select in re.findall(
            r"<select[^>]*\bname=\"([^\"]+)\"[^>]*>(.*?)</select>", form, re.S
        ):
            name, options = select
            for value in re.findall(r"<option[^>]*value=\"([^\"]*)\"", options):
                chosen = client.get(case.url, query_string={name: value})
                assert chosen.status_code == 200, f"{case.url}?{name}={value}"
