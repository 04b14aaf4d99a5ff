"""The one-way layering of the packages holds in the schema and the mappings, not only imports.

`lint-imports` checks imports against the layers contract in pyproject.toml; these tests read
the same contract and check every foreign key and every relationship against it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from civicladder.db import db

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _layers() -> dict[str, int]:
    """Package name -> height in the layers contract (the shell is 0)."""
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    heights = {}
    for height, layer in enumerate(reversed(layers)):
        for name in layer.split("|"):
            heights[name.strip()] = height
    return heights


HEIGHTS = _layers()


def _package_of(module: str) -> str:
    return module.split(".", 1)[0]


def _table_packages() -> dict[str, str]:
    """Which package owns each table: the package whose models module maps it."""
    owners = {}
    for mapper in db.Model.registry.mappers:
        for table in mapper.tables:
            owners[table.name] = _package_of(mapper.class_.__module__)
    return owners


def may_point_to(source: str, target: str) -> bool:
    """A package may refer to its own layer's package or to any package below it."""
    if source == target:
        return True
    return HEIGHTS[target] < HEIGHTS[source]


def test_the_contract_names_every_package_once(app):
    assert set(HEIGHTS) == {
        "civicladder", "people", "competencies", "hiring", "academy", "autonomy", "reports", "api",
        "scim",
    }  # fmt: skip
    assert HEIGHTS["civicladder"] == 0 and HEIGHTS["people"] == 1


def test_every_table_belongs_to_a_known_package(app):
    owners = _table_packages()
    assert set(owners) == set(db.metadata.tables), "a table without a model"
    assert set(owners.values()) <= set(HEIGHTS)


def test_no_foreign_key_points_to_a_higher_package(app):
    owners = _table_packages()
    upward = [
        f"{table.name}.{fk.parent.name} -> {fk.column.table.name} "
        f"({owners[table.name]} -> {owners[fk.column.table.name]})"
        for table in db.metadata.tables.values()
        for fk in table.foreign_keys
        if not may_point_to(owners[table.name], owners[fk.column.table.name])
    ]
    assert upward == []


def test_no_model_names_a_model_of_a_higher_package(app):
    upward = []
    for mapper in db.Model.registry.mappers:
        source = _package_of(mapper.class_.__module__)
        for relationship in mapper.relationships:
            target = _package_of(relationship.mapper.class_.__module__)
            if not may_point_to(source, target):
                upward.append(f"{mapper.class_.__name__}.{relationship.key} -> {target}")
    assert upward == []


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("people", "civicladder", True),
        ("competencies", "people", True),
        ("civicladder", "people", False),
        ("people", "competencies", False),
        ("hiring", "academy", False),
        ("autonomy", "academy", True),
        ("academy", "autonomy", False),
    ],
)
def test_the_direction_rule(source, target, allowed):
    assert may_point_to(source, target) is allowed


ROOT = PYPROJECT.parent
# The shell's own templates: the layout, the home page, and its account, admin and error pages.
SHELL_TEMPLATES = ("*.html", "account/*.html", "admin/*.html", "errors/*.html", "macros/*.html")


def _endpoints_named(text: str, blueprints: set[str]) -> set[str]:
    names = "|".join(sorted(blueprints))
    return set(re.findall(rf"""['"]((?:{names})\.[a-z_]+)['"]""", text))


def test_the_shell_names_no_page_of_a_package(app):
    """Links from the shell's pages to a package's pages come from the package, through the
    navigation menus and the panels it registers."""
    domain = {
        bp.name for bp in app.blueprints.values() if _package_of(bp.import_name) != "civicladder"
    }
    sources = [*sorted((ROOT / "civicladder").rglob("*.py"))]
    sources += [
        path for pattern in SHELL_TEMPLATES for path in sorted(ROOT.glob(f"templates/{pattern}"))
    ]
    named = {
        f"{path.relative_to(ROOT)}: {endpoint}"
        for path in sources
        for endpoint in _endpoints_named(path.read_text(), domain)
    }
    assert named == set()
    assert _endpoints_named("url_for('people.users')", domain) == {"people.users"}
