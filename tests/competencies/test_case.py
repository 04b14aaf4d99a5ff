"""The framework as a CASE 1.0 package: the export validates against the CFPackage schema, an
import maps what it can and lists the rest, a re-import updates by identifier, and a round trip
(export, import into an empty framework, export) gives the same package."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema_rs
import pytest
import sqlalchemy as sa

from civicladder.db import db
from civicladder.errors import Conflict, Forbidden, Invalid
from civicladder.models import AuditEvent
from competencies.case import queries, reading, rules, services
from competencies.models import (
    Competency,
    CompetencyCategory,
    FrameworkDocument,
    ProficiencyDescriptor,
)

pytestmark = pytest.mark.usefixtures("app_ctx")

STANDARDS = Path(__file__).resolve().parents[3] / "shared" / "standards"
SCHEMA = STANDARDS / "case_v1p0_cfpackage.schema.json"
SAMPLE = STANDARDS / "case_sample_framework.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text())
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def errors_of(validator, package: dict) -> list[str]:
    return [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(package)]


@pytest.fixture
def hr(make_user):
    return make_user(roles=["hr"])


@pytest.fixture
def framework(competencies):
    safety = competencies.category("Safety")
    safety.description = "Keeping people safe"
    first_aid = competencies.competency("SAF-1", "First aid", safety)
    first_aid.description = "Helping the injured until help comes"
    competencies.competency("SAF-2", "Safe lifting", safety)
    competencies.competency("SRV-1", "Public service", competencies.category("Service"))
    db.session.flush()
    return safety


def as_bytes(package: dict) -> bytes:
    return json.dumps(package).encode()


def empty_the_framework() -> None:
    for model in (ProficiencyDescriptor, Competency, CompetencyCategory, FrameworkDocument):
        db.session.execute(sa.delete(model))


def items_of(package: dict, kind: str) -> list[dict]:
    return [item for item in package["CFItems"] if item["CFItemType"] == kind]


def test_export_validates_against_the_cfpackage_schema(framework, validator):
    package = queries.package()
    assert errors_of(validator, package) == []
    assert len(items_of(package, rules.CATEGORY_TYPE)) == 2
    assert len(items_of(package, rules.COMPETENCY_TYPE)) == 3
    assert len(items_of(package, rules.LEVEL_TYPE)) == 15


def test_export_places_competencies_under_categories_under_the_document(framework):
    package = queries.package()
    doc = package["CFDocument"]["identifier"]
    by_id = {item["identifier"]: item for item in package["CFItems"]}
    parents = {
        a["originNodeURI"]["identifier"]: a["destinationNodeURI"]["identifier"]
        for a in package["CFAssociations"]
        if a["associationType"] == "isChildOf"
    }
    first_aid = next(i for i in package["CFItems"] if i.get("humanCodingScheme") == "SAF-1")
    assert first_aid["abbreviatedStatement"] == "First aid"
    assert first_aid["fullStatement"] == "Helping the injured until help comes"
    category = by_id[parents[first_aid["identifier"]]]
    assert category["fullStatement"] == "Safety"
    assert category["notes"] == "Keeping people safe"
    assert parents[category["identifier"]] == doc
    assert first_aid["identifier"] == db.session.scalar(
        sa.select(Competency.case_identifier).where(Competency.code == "SAF-1")
    )


def test_export_gives_each_step_of_the_scale_as_a_skill_level(framework):
    package = queries.package()
    first_aid = next(i for i in package["CFItems"] if i.get("humanCodingScheme") == "SAF-1")
    steps = {
        a["sequenceNumber"]: a["destinationNodeURI"]["identifier"]
        for a in package["CFAssociations"]
        if a["associationType"] == "hasSkillLevel"
        and a["originNodeURI"]["identifier"] == first_aid["identifier"]
    }
    by_id = {item["identifier"]: item for item in package["CFItems"]}
    assert sorted(steps) == [1, 2, 3, 4, 5]
    assert by_id[steps[3]]["fullStatement"] == "Behaviour at level 3"
    assert by_id[steps[3]]["abbreviatedStatement"] == "Practitioner"


def test_the_same_framework_exports_the_same_package_twice(framework):
    assert queries.package() == queries.package()


def test_round_trip_into_an_empty_framework_gives_the_same_package(framework, hr, validator):
    exported = queries.package()
    empty_the_framework()
    assert queries.package()["CFItems"] == []
    services.import_package(hr, as_bytes(exported))
    again = queries.package()
    assert again == exported
    assert errors_of(validator, again) == []


def test_reimport_updates_by_identifier_instead_of_duplicating(framework, hr):
    exported = queries.package()
    first_aid = next(i for i in exported["CFItems"] if i.get("humanCodingScheme") == "SAF-1")
    first_aid["abbreviatedStatement"] = "First aid and CPR"
    first_aid["humanCodingScheme"] = "SAF-10"
    preview = queries.preview(as_bytes(exported))
    assert (preview["added"], preview["changed"], preview["unchanged"]) == (0, 1, 4)
    assert preview["changes"] == [
        {
            "kind": "competency",
            "identifier": first_aid["identifier"],
            "label": "SAF-10 First aid and CPR",
            "is_new": False,
            "before": {"code": "SAF-1", "name": "First aid"},
            "after": {"code": "SAF-10", "name": "First aid and CPR"},
        }
    ]
    services.import_package(hr, as_bytes(exported))
    codes = db.session.scalars(sa.select(Competency.code).order_by(Competency.code)).all()
    assert codes == ["SAF-10", "SAF-2", "SRV-1"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompetencyCategory)) == 2


def test_importing_the_same_package_twice_changes_nothing_the_second_time(framework, hr):
    exported = queries.package()
    empty_the_framework()
    services.import_package(hr, as_bytes(exported))
    preview = queries.preview(as_bytes(exported))
    assert preview["change_count"] == 0
    assert preview["unchanged"] == 5


def test_sample_framework_imports_cleanly_listing_what_it_cannot_hold(hr, validator):
    data = SAMPLE.read_bytes()
    preview = queries.preview(data)
    assert preview["ok"] and preview["problems"] == []
    # Two clusters under the document become categories, six standards under them
    # competencies; the eight components below the standards are listed, not dropped.
    assert preview["added"] == 2 + 6
    items = [i for i in preview["left_out"] if not i["label"].startswith("Association")]
    assert len(items) == 8
    assert all(i["label"].endswith("(Component)") for i in items)
    assert all("below a competency" in i["reason"] for i in items)
    # The associations the framework has no place for: matches, order, exemplars, relations.
    associations = " ".join(i["label"] for i in preview["left_out"] if i not in items)
    counts = {kind: associations.count(kind) for kind in ("exactMatchOf", "precedes")}
    assert counts == {"exactMatchOf": 16, "precedes": 3}
    assert preview["left_out_count"] == 8 + 16 + 3 + 2 + 2
    services.import_package(hr, data)
    standard = db.session.scalar(
        sa.select(Competency).where(
            Competency.case_identifier == "b6f61076-aa12-450b-8f9d-b86bc071f85e"
        )
    )
    assert standard.code == "CCSS.MATH.CONTENT.6.RP.A.1"
    assert standard.category.name.startswith("Understand ratio concepts")
    assert "bird house" in standard.description  # the item's notes are kept
    assert errors_of(validator, queries.package()) == []


def test_import_is_audited_once_with_its_counts(framework, hr):
    exported = queries.package()
    empty_the_framework()
    services.import_package(hr, as_bytes(exported), filename="city.json")
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "competency_framework.imported")
    ).all()
    assert len(events) == 1
    assert events[0].after["added"] == 5 and events[0].after["file"] == "city.json"


def test_a_code_held_by_another_competency_is_a_problem_and_nothing_is_written(framework, hr):
    exported = queries.package()
    service = next(i for i in exported["CFItems"] if i.get("humanCodingScheme") == "SRV-1")
    service["identifier"] = "11111111-2222-4333-8444-555555555555"
    for association in exported["CFAssociations"]:
        for end in ("originNodeURI", "destinationNodeURI"):
            if association[end]["identifier"] == service["uri"].removeprefix("urn:uuid:"):
                association[end]["identifier"] = service["identifier"]
    preview = queries.preview(as_bytes(exported))
    assert not preview["ok"]
    assert "SRV-1" in preview["problems"][0]["reason"]
    before = queries.package()
    with pytest.raises(services.PackageRejected):
        services.import_package(hr, as_bytes(exported))
    assert queries.package() == before


def test_changes_after_the_preview_refuse_the_import(framework, hr):
    exported = queries.package()
    first_aid = next(i for i in exported["CFItems"] if i.get("humanCodingScheme") == "SAF-1")
    first_aid["abbreviatedStatement"] = "First aid and CPR"
    preview = queries.preview(as_bytes(exported))
    here = db.session.scalar(sa.select(Competency).where(Competency.code == "SAF-1"))
    here.name = "Changed meanwhile"
    db.session.flush()
    with pytest.raises(Conflict):
        services.import_package(hr, as_bytes(exported), expected_fingerprint=preview["fingerprint"])


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xfe not text", "not text in UTF-8"),
        (b"{not json", "not JSON"),
        (b"[1, 2]", "no CFDocument"),
        (b'{"CFDocument": {"identifier": "nope"}}', "no identifier"),
        (
            b'{"CFDocument": {"identifier": "11111111-2222-4333-8444-555555555555"}, '
            b'"CFItems": {}}',
            "CFItems is not a list",
        ),
        (b"[" * 100000 + b"]" * 100000, "not JSON"),
    ],
)
def test_a_file_that_is_no_case_package_is_refused_saying_why(data, words):
    with pytest.raises(Invalid, match=words):
        queries.preview(data)


def test_items_of_odd_shapes_are_listed_not_fatal():
    package = {
        "CFDocument": {"identifier": "11111111-2222-4333-8444-555555555555"},
        "CFItems": [
            "a string",
            {"identifier": "22222222-2222-4333-8444-555555555555", "fullStatement": 7},
            {"identifier": "33333333-2222-4333-8444-555555555555", "fullStatement": "Alone"},
        ],
        "CFAssociations": [None, {"associationType": "isChildOf"}],
    }
    read = reading.read_package(package, rules.read_time("2026-01-01T00:00:00Z"))
    assert read.categories == [] and read.competencies == []
    assert len(read.left_out) == 5


def test_only_hr_imports(framework, make_user):
    with pytest.raises(Forbidden):
        services.import_package(make_user(roles=["manager"]), as_bytes(queries.package()))


# The pages: upload, preview, confirm; and the download.


def test_hr_downloads_the_framework_as_a_case_package(framework, client_as, validator):
    response = client_as("hr").get("/competencies/case.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    assert errors_of(validator, response.json) == []
    assert response.json == queries.package()


def test_hr_uploads_sees_the_preview_and_confirms_before_anything_is_written(client_as):
    client = client_as("hr")
    upload = {"package": (io.BytesIO(SAMPLE.read_bytes()), "framework.json")}
    response = client.post("/competencies/import", data=upload)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Check the framework before importing" in text
    assert "Left out" in text and "exactMatchOf" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Competency)) == 0
    commit = response.headers["Location"] + "/commit"
    done = client.post(commit)
    assert done.status_code == 303
    assert "Framework imported: 8 added" in client.get(done.headers["Location"]).get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Competency)) == 6
    assert client.post(commit).status_code == 409  # a preview is written once


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"{not json", "framework.json", "not JSON"),
        (b'{"CFItems": []}', "framework.json", "no CFDocument"),
        (b"a,b\n1,2\n", "roster.csv", "must be a .json file"),
    ],
)
def test_an_upload_that_is_no_case_package_is_refused_saying_why(client_as, data, name, words):
    response = client_as("hr").post(
        "/competencies/import", data={"package": (io.BytesIO(data), name)}
    )
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)


def test_an_upload_too_large_for_a_framework_is_refused(client_as, monkeypatch):
    from competencies.case import views

    monkeypatch.setattr(views, "PACKAGE_MAX_BYTES", 1000)
    data = as_bytes({"CFDocument": {"identifier": "x" * 2000}})
    response = client_as("hr").post(
        "/competencies/import", data={"package": (io.BytesIO(data), "big.json")}
    )
    assert response.status_code == 413
    assert "larger than" in response.get_data(as_text=True)


@pytest.mark.parametrize("fresh", [True, False], ids=["into-empty", "changing-every-one"])
def test_an_import_costs_the_same_statements_however_large(competencies, hr, count_queries, fresh):
    counts = []
    for size in (1, 3, 12):  # the first makes the framework's cache version once
        empty_the_framework()
        category = competencies.category()
        for _ in range(size):
            competencies.competency(category_=category)
        exported = queries.package()
        if fresh:
            empty_the_framework()
        else:
            for item in items_of(exported, rules.COMPETENCY_TYPE):
                item["abbreviatedStatement"] += " (revised)"
            for item in items_of(exported, rules.LEVEL_TYPE):
                item["fullStatement"] += " (revised)"
        db.session.flush()
        db.session.expire_all()
        with count_queries() as statements:
            preview = queries.preview(as_bytes(exported))
            services.import_package(hr, as_bytes(exported))
        assert preview["change_count"] >= size
        counts.append(len(statements))
    assert counts[1] == counts[2], counts


def test_a_package_imported_into_the_citys_own_framework_joins_it_under_its_document(framework, hr):
    ours = queries.package()["CFDocument"]
    preview = queries.preview(SAMPLE.read_bytes())
    assert preview["document_kept"]
    assert all(change["kind"] != "document" for change in preview["changes"])
    services.import_package(hr, SAMPLE.read_bytes())
    after = queries.package()
    assert after["CFDocument"]["identifier"] == ours["identifier"]
    assert after["CFDocument"]["title"] == ours["title"]
    assert len(items_of(after, rules.COMPETENCY_TYPE)) == 3 + 6


def test_an_empty_framework_takes_the_packages_document(hr):
    services.import_package(hr, SAMPLE.read_bytes())
    document = queries.package()["CFDocument"]
    assert document["identifier"] == "20c5134f-423d-4097-a971-3dd5152bf507"
    assert document["title"] == "What Standards Could Be"
    assert document["creator"] == "Brandon Dorman"


def test_a_skill_level_two_competencies_share_is_kept_for_the_first_and_listed(framework):
    package = queries.package()
    steps = [a for a in package["CFAssociations"] if a["associationType"] == "hasSkillLevel"]
    first, second = steps[0]["originNodeURI"], steps[5]["originNodeURI"]
    assert first["identifier"] != second["identifier"]
    package["CFAssociations"].append(steps[0] | {"originNodeURI": second, "sequenceNumber": 1})
    package["CFAssociations"].remove(steps[5])  # the second's own first step
    read = reading.read_package(package, rules.read_time("2026-01-01T00:00:00Z"))
    scales = {c.identifier: [d.identifier for d in c.descriptors] for c in read.competencies}
    assert steps[0]["destinationNodeURI"]["identifier"] in scales[first["identifier"]]
    assert steps[0]["destinationNodeURI"]["identifier"] not in scales[second["identifier"]]
    assert any("another competency's" in item.reason for item in read.left_out)


def test_round_trip_through_a_fresh_database_of_its_own(framework, tmp_path):
    """Exported here, imported into another app's new database, exported there: the same."""
    from civicladder.app import create_app
    from tests.city.test_city import own_session

    exported = queries.package()
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "another-app",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'other.sqlite3'}",
            "MAIL_URL": None,
        }
    )
    other.instance_path = str(tmp_path)
    with own_session(other), other.test_request_context():
        assert queries.package()["CFItems"] == []
        services.import_package(None, as_bytes(exported))
        db.session.commit()
        again = queries.package()
    assert again == exported


def test_a_category_name_here_already_or_a_code_given_twice_is_a_problem(framework):
    exported = queries.package()
    service = next(
        i for i in items_of(exported, rules.CATEGORY_TYPE) if i["fullStatement"] == "Service"
    )
    exported = json.loads(
        json.dumps(exported).replace(service["identifier"], "99999999-2222-4333-8444-555555555555")
    )
    competencies_given = items_of(exported, rules.COMPETENCY_TYPE)
    competencies_given[1]["humanCodingScheme"] = competencies_given[0]["humanCodingScheme"]
    problems = [p["reason"] for p in queries.preview(as_bytes(exported))["problems"]]
    assert "A category called Service is here already, with another CASE identifier." in problems
    code = competencies_given[0]["humanCodingScheme"]
    assert f"The package has more than one competency coded {code}." in problems


# The command line.


def test_cli_previews_a_package_and_writes_nothing(app):
    result = app.test_cli_runner().invoke(args=["competencies", "import-case", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "What Standards Could Be: 8 to add, 0 to change" in result.output
    assert "Left out: " in result.output and "Run again with --commit" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Competency)) == 0


def test_cli_imports_a_package_and_exports_the_framework(app, tmp_path):
    runner = app.test_cli_runner()
    imported = runner.invoke(args=["competencies", "import-case", str(SAMPLE), "--commit"])
    assert imported.exit_code == 0, imported.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Competency)) == 6
    path = tmp_path / "framework.json"
    exported = runner.invoke(args=["competencies", "export-case", str(path)])
    assert exported.exit_code == 0, exported.output
    written = json.loads(path.read_text())
    assert written["CFDocument"]["identifier"] == "20c5134f-423d-4097-a971-3dd5152bf507"
    assert len(items_of(written, rules.COMPETENCY_TYPE)) == 6


def test_cli_refuses_a_file_that_is_no_package(app, tmp_path):
    path = tmp_path / "framework.json"
    path.write_text("{not json")
    result = app.test_cli_runner().invoke(args=["competencies", "import-case", str(path)])
    assert result.exit_code == 1
    assert "not JSON" in result.output


def test_codes_and_names_passed_around_within_a_package_import(framework, hr):
    exported = queries.package()
    first, second = items_of(exported, rules.COMPETENCY_TYPE)[:2]
    first["humanCodingScheme"], second["humanCodingScheme"] = (
        second["humanCodingScheme"],
        first["humanCodingScheme"],
    )
    safety, service = items_of(exported, rules.CATEGORY_TYPE)
    safety["fullStatement"], service["fullStatement"] = "Service", "Safety"
    assert queries.preview(as_bytes(exported))["ok"]
    services.import_package(hr, as_bytes(exported))
    names = dict(db.session.execute(sa.select(Competency.name, Competency.code)).all())
    assert (names["First aid"], names["Safe lifting"]) == ("SAF-2", "SAF-1")
    assert sorted(db.session.scalars(sa.select(CompetencyCategory.name))) == ["Safety", "Service"]
    assert framework.name == "Service"


FLAT_DOC = "a0a0a0a0-1111-4222-8333-444444444444"


def flat_package(title: str = "Park Ranger Skills", *, with_category: bool = False) -> dict:
    """A package whose competencies sit directly under the document (no category level)."""

    def item(identifier, statement, code=None, kind=None, **more):
        found = {"identifier": identifier, "fullStatement": statement} | more
        if code:
            found["humanCodingScheme"] = code
        if kind:
            found["CFItemType"] = kind
        return found

    def child_of(number, origin, destination):
        return {
            "identifier": f"c0c0c0c0-0000-4000-8000-{number:012d}",
            "associationType": "isChildOf",
            "originNodeURI": {"identifier": origin},
            "destinationNodeURI": {"identifier": destination},
        }

    trail, water, step = (
        "b1b1b1b1-0000-4000-8000-000000000001",
        "b1b1b1b1-0000-4000-8000-000000000002",
        "b1b1b1b1-0000-4000-8000-000000000003",
    )
    items = [
        item(trail, "Keeps a trail safe and open", "PR-TRAIL", abbreviatedStatement="Trails"),
        item(water, "Rescues a swimmer in difficulty", kind="Competency"),
        item(step, "Clears a fallen branch with help", kind="Proficiency level"),
    ]
    items[1]["humanCodingScheme"] = "PR-WATER"
    associations = [
        child_of(1, trail, FLAT_DOC),
        child_of(2, water, FLAT_DOC),
        {
            "identifier": "c0c0c0c0-0000-4000-8000-000000000099",
            "associationType": "hasSkillLevel",
            "originNodeURI": {"identifier": trail},
            "destinationNodeURI": {"identifier": step},
            "sequenceNumber": 2,
        },
    ]
    if with_category:
        group, sign = (
            "b1b1b1b1-0000-4000-8000-000000000004",
            "b1b1b1b1-0000-4000-8000-000000000005",
        )
        items += [item(group, "Visitor services"), item(sign, "Gives directions", "PR-SIGN")]
        associations += [child_of(3, group, FLAT_DOC), child_of(4, sign, group)]
    return {
        "CFDocument": {
            "identifier": FLAT_DOC,
            "title": title,
            "lastChangeDateTime": "2026-01-05T10:00:00Z",
        },
        "CFItems": items,
        "CFAssociations": associations,
    }


def category_of(code: str) -> str:
    return db.session.scalar(
        sa.select(CompetencyCategory.name)
        .join(Competency, Competency.category_id == CompetencyCategory.id)
        .where(Competency.code == code)
    )


def count_of(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_competencies_directly_under_the_document_go_under_a_category_named_for_it(hr, validator):
    data = as_bytes(flat_package())
    preview = queries.preview(data)
    assert preview["ok"], preview["problems"]
    assert (preview["gathered"], preview["gathered_under"]) == (2, "Park Ranger Skills")
    assert preview["added"] == 1 + 2 and preview["left_out_count"] == 0
    services.import_package(hr, data)
    assert category_of("PR-TRAIL") == category_of("PR-WATER") == "Park Ranger Skills"
    trail = db.session.scalar(sa.select(Competency).where(Competency.code == "PR-TRAIL"))
    assert trail.name == "Trails"
    assert [(d.level, d.descriptor) for d in trail.descriptors] == [
        (2, "Clears a fallen branch with help")
    ]
    exported = queries.package()
    assert errors_of(validator, exported) == []
    # The category is written out as any other: a round trip gives the same package.
    empty_the_framework()
    services.import_package(hr, as_bytes(exported))
    assert queries.package() == exported


def test_reimporting_a_package_without_categories_updates_instead_of_duplicating(hr):
    services.import_package(hr, as_bytes(flat_package()))
    again = queries.preview(as_bytes(flat_package()))
    assert (again["change_count"], again["unchanged"]) == (0, 3)
    newer = flat_package("Park Ranger Skills 2027")
    newer["CFItems"][1]["fullStatement"] = "Rescues a swimmer or a boater in difficulty"
    preview = queries.preview(as_bytes(newer))
    assert (preview["added"], preview["changed"]) == (0, 2)  # the category's name, one competency
    services.import_package(hr, as_bytes(newer))
    assert count_of(CompetencyCategory) == 1 and count_of(Competency) == 2
    assert category_of("PR-WATER") == "Park Ranger Skills 2027"


def test_a_package_mixing_categories_and_uncategorised_competencies_imports_both(hr):
    read = reading.read_package(
        flat_package(with_category=True), rules.read_time("2026-01-01T00:00:00Z")
    )
    assert sorted(c.name for c in read.categories) == ["Park Ranger Skills", "Visitor services"]
    assert read.gathered == 2 and read.left_out == []
    services.import_package(hr, as_bytes(flat_package(with_category=True)))
    assert category_of("PR-SIGN") == "Visitor services"
    assert category_of("PR-TRAIL") == "Park Ranger Skills"


def test_an_item_under_the_document_with_no_code_and_nothing_under_it_stays_a_category():
    package = flat_package()
    del package["CFItems"][0]["humanCodingScheme"]
    package["CFAssociations"].pop()  # and no skill level
    read = reading.read_package(package, rules.read_time("2026-01-01T00:00:00Z"))
    assert [c.name for c in read.categories] == ["Trails", "Park Ranger Skills"]
    assert [c.code for c in read.competencies] == ["PR-WATER"] and read.gathered == 1


def test_the_uncategorised_category_clashing_with_one_here_is_a_problem(framework):
    preview = queries.preview(as_bytes(flat_package("Safety")))
    assert not preview["ok"]
    assert "A category called Safety is here already" in preview["problems"][0]["reason"]


def test_the_preview_says_where_competencies_without_a_category_go(client_as):
    client = client_as("hr")
    upload = {"package": (io.BytesIO(as_bytes(flat_package())), "rangers.json")}
    response = client.post("/competencies/import", data=upload)
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "2 competencies have no category in the package; they go under "
        "<strong>Park Ranger Skills</strong>" in text
    )
