"""HR's CASE pages: the framework downloaded as a CASE package, and a package imported after a
preview (checked and written by jobs, `civicladder.import_jobs`)."""

from __future__ import annotations

import json

from flask import redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from civicladder import exports, import_jobs
from civicladder.access import Role, requires
from civicladder.errors import DomainError, Invalid
from civicladder.forms import ConfirmForm
from competencies.case import queries, reading
from competencies.forms import CasePackageForm
from competencies.views import bp

IMPORT = "case_framework"
PACKAGE_MAX_BYTES = 16 * 1024 * 1024  # a framework of thousands of competencies is a few MB


@bp.get("/competencies/case.json")
@requires(Role.HR)
def case_package():
    """The framework as a CASE 1.0 package, to hand to another framework tool."""
    body = json.dumps(queries.package(), ensure_ascii=False, indent=2)
    return exports.attachment(body, "application/json", "competency-framework-case.json")


@bp.route("/competencies/import", methods=["GET", "POST"])
@requires(Role.HR)
def import_case():
    """Upload a CASE package: a file that cannot be one is refused at once; otherwise it is
    kept and checked by a job, whose page shows the preview."""
    form = CasePackageForm()
    status = 200
    if form.validate_on_submit():
        upload = form.package.data
        data = upload.read(PACKAGE_MAX_BYTES + 1)
        try:
            if len(data) > PACKAGE_MAX_BYTES:
                status = 413
                raise Invalid(
                    gettext(
                        "The file is larger than %(num)s MB, more than any competency framework "
                        "needs. Check that it is a CASE package.",
                        num=PACKAGE_MAX_BYTES // (1024 * 1024),
                    )
                )
            reading.parse(data)
            run = import_jobs.request_check(
                current_user, IMPORT, data, upload.filename, media_type="application/json"
            )
        except DomainError as error:
            form.package.errors = [*form.package.errors, error.message]
        else:
            return redirect(url_for("competencies.case_import", run_id=run.id), 303)
    if form.errors and status == 200:
        status = 422
    return render_template("competencies/case_import.html", form=form), status


@bp.get("/competencies/import/<int:run_id>")
@requires(Role.HR)
def case_import(run_id: int):
    """An uploaded package: being checked, its preview, being imported, or imported."""
    return render_template(
        "competencies/case_preview.html",
        form=ConfirmForm(),
        **import_jobs.page_context(IMPORT, run_id),
    )


@bp.post("/competencies/import/<int:run_id>/commit")
@requires(Role.HR)
def commit_case_import(run_id: int):
    """HR confirms a checked package: a job imports it, whole or not at all."""
    if not ConfirmForm().validate_on_submit():
        raise Invalid(gettext("The form has expired. Open the preview again and confirm."))
    run = import_jobs.request_write(current_user, IMPORT, run_id)
    return redirect(url_for("competencies.case_import", run_id=run.id), 303)
