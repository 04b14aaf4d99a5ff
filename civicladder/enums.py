"""Labelled enums: a status or kind carries the words people read, in one place."""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members also carry a human label.

    Declare members as ``HR = "hr", "Human resources"``; the value ("hr") is what is stored,
    the label is what pages and email show (``Role.HR.label``). A member declared with a value
    only gets its value with the first letter capitalised and underscores as spaces.
    """

    label: str

    def __new__(cls, value: str, label: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value.replace("_", " ").capitalize()
        return member


def choices(enum_cls: type[LabelledEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a select or checkbox list, in declaration order."""
    return [(member.value, member.label) for member in enum_cls]
