"""Slots on the people package's pages that packages above it may fill with panels."""

from civicladder.panels import Slot

# The employee profile page: builders get the person looking and the employee shown.
EMPLOYEE_PROFILE = Slot("employee_profile", arguments=("viewer", "employee"))
