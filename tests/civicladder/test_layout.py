"""Page furniture: audit events in words, the vendored USWDS files, the shared layout."""

import re
from pathlib import Path
from types import SimpleNamespace

from civicladder import audit, layout
from civicladder.access import Role

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "static" / "vendor" / "uswds"


def test_audit_actions_and_objects_read_as_words(app_ctx):
    assert layout.action_words("user.signed_in") == "Signed in"
    assert layout.action_words("competency_evidence.recorded") == "Recorded competency evidence"
    assert layout.action_words("enrollment.waitlisted") == "Enrollment waitlisted"
    assert layout.type_words("CompetencyEvidence") == "Competency evidence"
    hidden = SimpleNamespace(object_type="CompetencyEvidence", object_id="326", object_label="")
    assert layout.object_words(hidden) == "Competency evidence, record 326"
    shown = SimpleNamespace(object_type="User", object_id="4", object_label="ana@city.test")
    assert layout.object_words(shown) == "User: ana@city.test"


def test_every_file_the_stylesheet_names_is_vendored_bar_the_serif_face():
    css = (VENDOR / "css" / "uswds.min.css").read_text()
    named = set(re.findall(r"url\(\.\./([^)]+)\)", css))
    missing = {
        path
        for path in named
        if not (VENDOR / path).is_file()
        and not path.startswith("fonts/merriweather/")
        and not path.startswith("img/hero.")
    }
    assert not missing
    assert (VENDOR / "LICENSE.md").is_file()
    assert sum(1 for p in VENDOR.rglob("*") if p.is_file()) < 80


def test_every_static_file_a_template_names_exists():
    named = set()
    for template in (ROOT / "templates").rglob("*.html"):
        named |= set(re.findall(r"filename='([^']+)'", template.read_text()))
    assert named
    assert not {path for path in named if not (ROOT / "static" / path).is_file()}


def test_pages_have_the_uswds_header_menu_button_and_identifier(client_as):
    page = client_as(Role.HR).get("/").text
    assert 'class="usa-menu-btn"' in page and 'class="usa-nav"' in page
    assert 'class="usa-identifier' in page
    assert "City of Example" in page


def test_admin_latest_changes_leave_out_sign_ins(client_as, make_user):
    admin = make_user({Role.ADMIN})
    other = make_user()
    audit.record(other, "user.signed_in", other, label=other.email)
    audit.record(admin, "user.roles_changed", other, label=other.email)
    page = client_as(admin).get("/").text
    latest = page.split("Latest changes", 1)[1]
    assert "Changed roles</td>" in latest
    assert "Signed in</td>" not in latest


def test_swagger_ui_is_vendored_with_its_licence_at_the_locked_version():
    import json

    vendored = ROOT / "static" / "vendor" / "swagger-ui"
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"):
        assert (vendored / name).is_file(), name
    locked = json.loads((ROOT / "package-lock.json").read_text())
    version = locked["packages"]["node_modules/swagger-ui-dist"]["version"]
    assert (vendored / "VERSION").read_text().strip() == version


def test_a_sort_link_says_how_it_sorts_in_the_pages_language(app):
    with app.test_request_context("/people?sort=name"):
        assert 'aria-label="Name, sort descending"' in str(
            layout.sort_header("Name", "name", "name")
        )
        assert 'aria-label="Name, sort ascending"' in str(layout.sort_header("Name", "name", ""))
    with app.test_request_context("/people?sort=name", headers={"Accept-Language": "es"}):
        heading = str(layout.sort_header("Nombre", "name", "name")["label"])
        assert 'aria-label="Nombre, ordenar de mayor a menor"' in heading
        assert "sort " not in heading
