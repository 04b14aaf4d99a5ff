"""/scim/v2/Users request by request: provisioning and its link to the employee record,
lookups by filter, paging, changes by PUT and PATCH, deprovisioning (which ends the person's
sessions at once), deletion that keeps the account, and provisioning again."""

from __future__ import annotations

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent, User, UserSession
from people.models import EmployeeStatus
from scim.models import ScimAccount
from tests.api.factories import api_token
from tests.scim.conftest import ENTERPRISE, ERROR_SCHEMA, MEDIA_TYPE, Scim, user_body


def _events(action: str) -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def _error(response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == MEDIA_TYPE
    body = response.get_json()
    assert body["schemas"] == [ERROR_SCHEMA]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    return body


def test_post_provisions_an_employee_account_linked_by_employee_number(scim, scim_token, people):
    employee = people.employee(email="someone.else@city.gov")
    body = user_body(
        "jane.doe@city.gov",
        externalId="entra-42",
        name={"givenName": "Jane", "familyName": "Doe"},
        **{"schemas": [user_body("x")["schemas"][0], ENTERPRISE]},
    )
    body[ENTERPRISE] = {"employeeNumber": employee.employee_number}

    response = scim.post("/Users", body)

    assert response.status_code == 201, response.get_json()
    assert response.mimetype == MEDIA_TYPE
    answer = response.get_json()
    assert response.headers["Location"] == answer["meta"]["location"]
    assert answer["userName"] == "jane.doe@city.gov"
    assert answer["externalId"] == "entra-42"
    assert answer["name"] == {"givenName": "Jane", "familyName": "Doe"}
    assert answer[ENTERPRISE] == {"employeeNumber": employee.employee_number}
    assert [g["value"] for g in answer["groups"]] == ["employee"]
    user = db.session.get(User, int(answer["id"]))
    assert (user.email, user.full_name, user.active) == ("jane.doe@city.gov", "Jane Doe", True)
    assert employee.user_id == user.id
    # Every change is the client's doing in the audit log.
    label = scim_token.token.client.name
    for action in ("user.created", "scim_account.provisioned", "user.employee_linked"):
        (event,) = _events(action)
        assert event.actor_id is None and label in event.actor_label, action


def test_post_links_by_email_when_no_employee_number_matches(scim, people):
    employee = people.employee(email="sam.lee@city.gov")
    body = user_body("sam.lee@city.gov") | {ENTERPRISE: {"employeeNumber": "NOPE-1"}}
    body["schemas"] = [body["schemas"][0], ENTERPRISE]

    response = scim.post("/Users", body)

    assert response.status_code == 201
    assert employee.user_id == int(response.get_json()["id"])


def test_an_employee_number_added_later_by_patch_links_the_record(scim, people):
    ident = scim.post("/Users", user_body("later@city.gov")).get_json()["id"]
    employee = people.employee()

    response = scim.patch(
        f"/Users/{ident}",
        {"op": "add", "path": f"{ENTERPRISE}:employeeNumber", "value": employee.employee_number},
    )

    assert response.status_code == 200
    assert response.get_json()[ENTERPRISE] == {"employeeNumber": employee.employee_number}
    assert employee.user_id == int(ident)


def test_no_account_is_provisioned_for_a_separated_employee(scim, people):
    employee = people.employee(email="gone@city.gov", status=EmployeeStatus.SEPARATED)

    response = scim.post("/Users", user_body("gone@city.gov"))

    assert "separated" in _error(response, 400, "invalidValue")["detail"]
    assert employee.user_id is None
    assert db.session.scalar(sa.select(User).where(User.email == "gone@city.gov")) is None


def test_a_second_post_of_the_same_user_name_is_a_conflict_and_writes_nothing(scim):
    assert scim.post("/Users", user_body("twice@city.gov")).status_code == 201
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))

    response = scim.post("/Users", user_body("TWICE@city.gov", email="other@city.gov"))

    _error(response, 409, "uniqueness")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def test_post_takes_over_an_account_made_here_with_that_email(scim, make_user):
    existing = make_user({Role.HR}, email="kept@city.gov")

    response = scim.post("/Users", user_body("kept.upn@city.gov", email="kept@city.gov"))

    assert response.status_code == 201
    assert response.get_json()["id"] == str(existing.id)
    assert existing.roles == {Role.HR}
    assert len(_events("scim_account.taken_over")) == 1


def test_filters_find_accounts_by_user_name_external_id_and_email(scim, make_user):
    untouched = make_user(email="local@city.gov")
    provisioned = scim.post("/Users", user_body("upn.x@city.gov", email="mail.x@city.gov"))
    ident = provisioned.get_json()["id"]
    scim.patch(f"/Users/{ident}", {"op": "add", "path": "externalId", "value": "ext-9"})

    def found(expression: str) -> list[str]:
        response = scim.get("/Users", query_string={"filter": expression})
        assert response.status_code == 200, response.get_json()
        return [r["id"] for r in response.get_json()["Resources"]]

    assert found('userName eq "UPN.X@city.gov"') == [ident]
    assert found('externalId eq "ext-9"') == [ident]
    assert found('emails.value eq "mail.x@city.gov"') == [ident]
    # An account the identity system has not touched reads its email as its userName.
    assert found('userName eq "local@city.gov"') == [str(untouched.id)]
    assert found('userName eq "nobody@city.gov"') == []


def test_an_unsupported_filter_is_refused_as_invalid_filter(scim):
    for expression in ('userName co "x"', 'title eq "Boss"', "userName eq", 'a eq "1" or b eq "2"'):
        response = scim.get("/Users", query_string={"filter": expression})
        _error(response, 400, "invalidFilter")


def test_paging_by_start_index_and_count_with_the_total(scim, make_user):
    ids = sorted(make_user().id for _ in range(5))
    everyone = scim.get("/Users").get_json()
    total = everyone["totalResults"]
    assert total >= 5 and everyone["itemsPerPage"] == total

    page = scim.get("/Users", query_string={"startIndex": 2, "count": 2}).get_json()

    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (total, 2, 2)
    listed = [int(r["id"]) for r in everyone["Resources"]]
    assert [int(r["id"]) for r in page["Resources"]] == listed[1:3]
    assert set(ids) <= set(listed)
    counted = scim.get("/Users", query_string={"count": 0}).get_json()
    assert counted["totalResults"] == total and counted["Resources"] == []
    _error(scim.get("/Users", query_string={"startIndex": "first"}), 400, "invalidValue")


def test_a_page_of_users_costs_the_same_statements_whatever_its_size(
    scim, make_user, count_queries
):
    def statements(count: int) -> int:
        with count_queries() as seen:
            response = scim.get("/Users", query_string={"count": count})
        assert response.get_json()["itemsPerPage"] == count
        return len(seen)

    for _ in range(6):
        make_user()
    assert statements(2) == statements(6)


def test_patch_active_false_deactivates_and_ends_the_live_session(scim, client_as, make_user):
    user = make_user()
    browser = client_as(user)
    assert browser.get("/").status_code == 200

    response = scim.patch(f"/Users/{user.id}", {"op": "replace", "path": "active", "value": False})

    assert response.status_code == 200 and response.get_json()["active"] is False
    assert user.active is False
    refused = browser.get("/")
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/sign-in")
    ended = db.session.scalars(
        sa.select(UserSession.ended_at).where(UserSession.user_id == user.id)
    )
    assert all(when is not None for when in ended)
    (event,) = _events("user.deactivated")
    assert "API client" in event.actor_label


def test_patch_active_true_brings_a_deactivated_account_back(scim, make_user):
    user = make_user(active=False)

    response = scim.patch(f"/Users/{user.id}", {"op": "Replace", "value": {"active": True}})

    assert response.status_code == 200 and response.get_json()["active"] is True
    assert user.active is True


def test_patch_adds_active_and_refuses_to_remove_it(scim, make_user):
    user = make_user()

    added = scim.patch(f"/Users/{user.id}", {"op": "add", "path": "active", "value": False})

    assert added.status_code == 200 and user.active is False
    removed = scim.patch(f"/Users/{user.id}", {"op": "remove", "path": "active"})
    _error(removed, 400, "mutability")
    assert user.active is False


def test_patch_in_the_way_entra_id_sends_it(scim):
    ident = scim.post("/Users", user_body("entra@city.gov")).get_json()["id"]

    response = scim.patch(
        f"/Users/{ident}",
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "new@city.gov"},
        {"op": "Add", "path": "name.givenName", "value": "Ada"},
        {"op": "Replace", "path": "active", "value": "False"},
    )

    assert response.status_code == 200, response.get_json()
    user = db.session.get(User, int(ident))
    assert (user.email, user.active) == ("new@city.gov", False)
    assert response.get_json()["name"] == {"givenName": "Ada"}


def test_put_replaces_what_the_account_says(scim):
    ident = scim.post(
        "/Users", user_body("put@city.gov", externalId="x1", name={"givenName": "P"})
    ).get_json()["id"]

    response = scim.put(f"/Users/{ident}", user_body("put@city.gov", display_name="Pat Q"))

    answer = response.get_json()
    assert response.status_code == 200
    assert answer["displayName"] == "Pat Q"
    assert "externalId" not in answer and "name" not in answer
    assert db.session.get(User, int(ident)).full_name == "Pat Q"


def test_delete_deactivates_keeps_the_account_and_then_reads_as_not_found(
    scim, client_as, make_user
):
    user = make_user(email="leaver@city.gov")
    browser = client_as(user)

    assert scim.delete(f"/Users/{user.id}").status_code == 204

    _error(scim.get(f"/Users/{user.id}"), 404)
    _error(scim.patch(f"/Users/{user.id}", {"op": "replace", "path": "active", "value": True}), 404)
    listed = scim.get("/Users", query_string={"filter": 'userName eq "leaver@city.gov"'})
    assert listed.get_json()["totalResults"] == 0
    kept = db.session.get(User, user.id)
    assert kept is not None and kept.active is False
    assert db.session.get(ScimAccount, user.id).deleted_at is not None
    assert browser.get("/").status_code == 302
    assert len(_events("scim_account.deleted")) == 1


def test_a_deleted_account_is_provisioned_again_by_post(scim, make_user):
    user = make_user(email="back@city.gov")
    scim.post("/Users", user_body("back@city.gov"))  # the identity system takes it over
    scim.delete(f"/Users/{user.id}")

    response = scim.post("/Users", user_body("back@city.gov", display_name="Back Again"))

    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id"] == str(user.id)
    assert user.active is True and user.full_name == "Back Again"
    assert scim.get(f"/Users/{user.id}").status_code == 200
    assert len(_events("scim_account.restored")) == 1


def test_a_removed_account_does_not_pass_to_another_person_with_its_user_name(scim):
    first = scim.post("/Users", user_body("reused@city.gov", externalId="person-1")).get_json()
    scim.delete(f"/Users/{first['id']}")

    response = scim.post(
        "/Users", user_body("reused@city.gov", email="new.person@city.gov", externalId="person-2")
    )

    assert "another person" in _error(response, 409, "uniqueness")["detail"]
    assert db.session.get(User, int(first["id"])).active is False


def test_a_token_without_the_scope_and_a_session_are_refused(app, client_as):
    with app.test_request_context():
        other = Scim(app, api_token(["roster:read"]).secret)
    body = _error(other.get("/Users"), 403)
    assert "scim" in body["detail"]
    anonymous = app.test_client().get("/scim/v2/Users")
    _error(anonymous, 401)
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    _error(client_as("admin").get("/scim/v2/Users"), 401)
    assert other.post("/Users", user_body("no@city.gov")).status_code == 403
    assert db.session.scalar(sa.select(User).where(User.email == "no@city.gov")) is None


def test_bad_input_gets_scim_errors_and_writes_nothing(scim):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    form = scim.client.post(
        "/scim/v2/Users", headers=scim.headers, data={"userName": "form@city.gov"}
    )
    _error(form, 400, "invalidSyntax")
    _error(scim.post("/Users", user_body("bad", email="not an address")), 400, "invalidValue")
    _error(scim.post("/Users", {"schemas": [user_body("x")["schemas"][0]]}), 400, "invalidValue")
    _error(scim.post("/Users", user_body("id@city.gov") | {"userName": 7}), 400, "invalidValue")
    too_long = user_body("long@city.gov") | {"externalId": "x" * 255}
    assert "externalId" in _error(scim.post("/Users", too_long), 400, "invalidValue")["detail"]
    ident = scim.post("/Users", user_body("ok@city.gov")).get_json()["id"]
    _error(scim.patch(f"/Users/{ident}", {"op": "jump", "path": "active"}), 400, "invalidValue")
    _error(scim.get("/Users/not-a-number"), 404)
    _error(scim.client.get("/scim/v2/Nowhere", headers=scim.headers), 404)
    _error(scim.client.delete("/scim/v2/Groups/hr", headers=scim.headers), 405)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before + 1


def test_the_json_media_type_is_accepted_too(scim):
    response = scim.client.post(
        "/scim/v2/Users", headers=scim.headers, json=user_body("plainjson@city.gov")
    )
    assert response.status_code == 201
    assert response.mimetype == MEDIA_TYPE
