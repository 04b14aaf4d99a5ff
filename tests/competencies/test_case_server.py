"""The CASE download and import through a real server, where requests really commit: HR
downloads the framework, changes a competency's name in the package, uploads it, reads the
preview and confirms, and the framework has changed."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from civicladder.access import Role
from civicladder.db import db
from competencies.models import Competency
from tests.civicladder.factories import PASSWORD
from tests.civicladder.real_server import Visitor, serving

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
COMMIT = re.compile(r'action="(/competencies/import/\d+/commit)"')


def test_hr_downloads_the_framework_and_imports_it_back_through_a_real_server(
    real_commits, make_user, competencies
):
    def build():
        category = competencies.category("Served category")
        competencies.competency("SERVED-1", "Served skill", category)
        return make_user({Role.HR}).email

    email = real_commits.run(build)
    with serving(real_commits.app) as url:
        visitor = Visitor(url).sign_in(email, PASSWORD)
        fetched = visitor.get("/competencies/case.json")
        assert fetched.status == 200, fetched.body[:2000]
        assert fetched.header("Cache-Control") == "no-store"
        package = json.loads(fetched.body)
        served = next(i for i in package["CFItems"] if i.get("humanCodingScheme") == "SERVED-1")
        served["abbreviatedStatement"] = "Served skill, renamed"
        body = json.dumps(package).encode()
        preview = visitor.post_form(
            "/competencies/import", {}, files={"package": ("framework.json", body)}
        )
        page = preview.body.decode()
        assert preview.status == 200, page[:2000]
        assert "Check the framework before importing" in page
        assert "Served skill, renamed" in page
        done = visitor.post(COMMIT.search(page).group(1), {"csrf_token": CSRF.search(page)[1]})
        assert done.status == 200
        assert "Framework imported: 0 added, 1 changed" in done.body.decode()

    def name_now():
        return db.session.scalar(sa.select(Competency.name).where(Competency.code == "SERVED-1"))

    assert real_commits.run(name_now) == "Served skill, renamed"
