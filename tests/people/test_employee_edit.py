"""HR changes an employee's record in the app: placement, status, with a reason, audited."""

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.models import AuditEvent
from people import queries


def _form(employee, **changes) -> dict:
    data = {
        "department": employee.department.path,
        "manager": employee.manager.employee_number if employee.manager else "",
        "bargaining_unit": str(employee.bargaining_unit_id or 0),
        "job_profile": str(employee.job_profile_id or 0),
        "status": employee.status.value,
        "reason": "Reorganisation",
    }
    return data | changes


def test_hr_moves_an_employee_to_a_new_manager_and_the_line_follows(
    client_as, people, make_user, _transaction
):
    old_boss, new_boss = people.employee(), people.employee()
    worker = people.employee(manager=old_boss, department_path="Parks > Forestry")
    people.department("Parks > Nursery")
    boss_user = make_user({Role.MANAGER, Role.EMPLOYEE}, employee=new_boss)
    response = client_as(Role.HR).post(
        f"/people/{worker.id}/edit",
        data=_form(worker, manager=new_boss.employee_number, department="Parks>Nursery"),
    )
    assert response.status_code == 302
    _transaction.refresh(worker)
    assert worker.manager_id == new_boss.id and worker.department.path == "Parks > Nursery"
    assert queries.can_view(boss_user, worker.id)
    event = _transaction.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "employee.updated")
    )
    assert event.reason == "Reorganisation"
    assert event.after["manager_id"] == new_boss.id


def test_a_manager_cycle_is_refused_with_a_message(client_as, people, _transaction):
    top = people.employee(first_name="Tia", last_name="Top")
    middle = people.employee(manager=top, first_name="Mo", last_name="Middle")
    response = client_as(Role.HR).post(
        f"/people/{top.id}/edit", data=_form(top, manager=middle.employee_number)
    )
    assert response.status_code == 422
    assert "Mo Middle reports to Tia Top" in response.text
    _transaction.refresh(top)
    assert top.manager_id is None


def test_the_edit_needs_a_reason_and_a_known_department(client_as, people, _transaction):
    worker = people.employee()
    client = client_as(Role.HR)
    no_reason = client.post(f"/people/{worker.id}/edit", data=_form(worker, reason=""))
    assert no_reason.status_code == 422 and "Give a reason" in no_reason.text
    unknown = client.post(f"/people/{worker.id}/edit", data=_form(worker, department="Nowhere"))
    assert unknown.status_code == 422 and "There is no department Nowhere" in unknown.text
    count = sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "employee.updated")
    assert _transaction.scalar(count) == 0


def test_profile_offers_the_edit_to_hr_only(client_as, people):
    worker, worker_user = people.employee_user()
    assert f"/people/{worker.id}/edit" in client_as(Role.HR).get(f"/people/{worker.id}").text
    assert (
        f"/people/{worker.id}/edit" not in client_as(worker_user).get(f"/people/{worker.id}").text
    )
