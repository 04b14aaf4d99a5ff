"""Signals the people package sends after a change, for the packages above it to react to.

People never imports the packages that care (the academy withdraws a separated person's
future enrolments; autonomy re-checks eligibility after a move). Receivers connect in their
package's init_app and run inside the same transaction as the change: they write through
`db.session` and never commit, so a reaction and its cause are saved together or not at all.

Each signal is sent with the acting user as sender (None for the system) and
``employee_ids``: the employees concerned, in one call for a whole roster import.
"""

from blinker import Namespace

_signals = Namespace()

# Employees who joined the workforce records (created one by one, hired, or by a roster import).
employee_added = _signals.signal("people.employee-added")
# Employees whose status became separated.
employee_separated = _signals.signal("people.employee-separated")
# Employees whose department, manager or job profile changed.
employee_moved = _signals.signal("people.employee-moved")
