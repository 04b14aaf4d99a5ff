"""Slots on the academy's pages that packages above it may fill with panels."""

from civicladder.panels import Slot

# A course's page: builders get the person looking and the course shown (autonomy says there
# whether the course moves the viewer toward their next level).
COURSE_PAGE = Slot("course_page", arguments=("viewer", "course"))
