"""/scim/v2/Groups: the product's roles as groups. Members added, removed and replaced by
PATCH and PUT give and take the role, each change audited as the client's."""

from __future__ import annotations

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from civicladder.models import AuditEvent
from tests.scim.test_users import _error


def _role_changes() -> list[AuditEvent]:
    return db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "user.roles_changed")
    ).all()


def test_the_groups_are_the_roles(scim, make_user):
    hr = make_user({Role.HR})

    listed = scim.get("/Groups").get_json()

    assert listed["totalResults"] == len(Role)
    by_id = {group["id"]: group for group in listed["Resources"]}
    assert set(by_id) == {role.value for role in Role}
    assert by_id["hr"]["displayName"] == "Human resources"
    assert str(hr.id) in [member["value"] for member in by_id["hr"]["members"]]
    paged = scim.get("/Groups", query_string={"startIndex": 2, "count": 2}).get_json()
    assert [g["id"] for g in paged["Resources"]] == [g["id"] for g in listed["Resources"]][1:3]


def test_a_group_is_found_by_its_name_or_the_identity_providers_name(scim, app, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_ROLE_GROUPS", {"hr": frozenset({"CL-HR-Staff"})})

    def found(expression: str) -> list[str]:
        response = scim.get(
            "/Groups", query_string={"filter": expression, "excludedAttributes": "members"}
        )
        assert response.status_code == 200
        groups = response.get_json()["Resources"]
        assert all("members" not in group for group in groups)
        return [group["id"] for group in groups]

    assert found('displayName eq "cl-hr-staff"') == ["hr"]
    assert found('displayName eq "Human resources"') == ["hr"]
    assert found('displayName eq "Payroll"') == []
    _error(scim.get("/Groups", query_string={"filter": 'displayName sw "H"'}), 400, "invalidFilter")


def test_patch_adds_replaces_and_removes_members(scim, make_user, scim_token):
    first, second, third = make_user(), make_user(), make_user()

    added = scim.patch(
        "/Groups/manager",
        {
            "op": "add",
            "path": "members",
            "value": [{"value": str(first.id)}, {"value": str(second.id)}],
        },
    )
    assert added.status_code == 204
    assert Role.MANAGER in first.roles and Role.MANAGER in second.roles

    # Entra ID takes a member out with the member as the value.
    taken = scim.patch(
        "/Groups/manager",
        {"op": "Remove", "path": "members", "value": [{"value": str(second.id)}]},
    )
    assert taken.status_code == 204 and Role.MANAGER not in second.roles

    filtered = scim.patch(
        "/Groups/manager", {"op": "remove", "path": f'members[value eq "{first.id}"]'}
    )
    assert filtered.status_code == 204 and Role.MANAGER not in first.roles

    replaced = scim.patch(
        "/Groups/manager",
        {"op": "replace", "path": "members", "value": [{"value": str(third.id)}]},
    )
    assert replaced.status_code == 204
    members = scim.get("/Groups/manager").get_json()["members"]
    assert [member["value"] for member in members] == [str(third.id)]
    changes = _role_changes()
    assert len(changes) == 5
    assert all(scim_token.token.client.name in event.actor_label for event in changes)


def test_put_sets_the_members(scim, make_user):
    keep, drop, join = make_user({Role.UNION_REP}), make_user({Role.UNION_REP}), make_user()

    response = scim.put(
        "/Groups/union_rep",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Union representative",
            "members": [{"value": str(keep.id)}, {"value": str(join.id)}],
        },
    )

    assert response.status_code == 200
    assert {m["value"] for m in response.get_json()["members"]} == {str(keep.id), str(join.id)}
    assert Role.UNION_REP not in drop.roles and Role.UNION_REP in join.roles


def test_an_unknown_member_refuses_the_whole_change(scim, make_user):
    user = make_user()

    response = scim.patch(
        "/Groups/admin",
        {"op": "add", "path": "members", "value": [{"value": str(user.id)}, {"value": "999999"}]},
    )

    _error(response, 400, "invalidValue")
    assert Role.ADMIN not in user.roles
    assert _role_changes() == []


def test_a_groups_name_cannot_change_and_groups_are_not_made_or_deleted(scim):
    rename = scim.patch("/Groups/hr", {"op": "replace", "path": "displayName", "value": "Boss"})
    _error(rename, 400, "mutability")
    same = scim.patch("/Groups/hr", {"op": "replace", "value": {"displayName": "Human resources"}})
    assert same.status_code == 204
    made = scim.post("/Groups", {"displayName": "Human resources"})
    assert "role Human resources" in _error(made, 409, "uniqueness")["detail"]
    _error(scim.post("/Groups", {"displayName": "Payroll"}), 400, "invalidValue")
    _error(scim.get("/Groups/payroll"), 404)
    _error(
        scim.patch("/Groups/hr", {"op": "add", "path": "title", "value": "x"}), 400, "invalidPath"
    )
