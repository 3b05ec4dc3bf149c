"""The HR console (/hr/) and the GM pages (/gm/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkpi.web.pages.gm import approvals as gm_approvals
from shopkpi.web.pages.hr import actions as hr_actions
from shopkpi.web.pages.hr import audit as hr_audit
from shopkpi.web.pages.hr import checks as hr_checks
from shopkpi.web.pages.hr import cycles as hr_cycles
from shopkpi.web.pages.hr import export_pages, list_exports
from shopkpi.web.pages.hr import imports as hr_imports
from shopkpi.web.pages.hr import prepare as hr_prepare
from shopkpi.web.pages.hr import reports as hr_reports
from shopkpi.web.pages.hr import reviews as hr_reviews
from shopkpi.web.pages.hr import shifts as hr_shifts

CYCLE = "hr/cycles/<str:period>/"

urlpatterns: list[URLPattern] = [
    path("hr/", hr_cycles.console, name="hr-console"),
    path("hr/cycles/new/", hr_cycles.open_cycle, name="hr-cycle-open"),
    path("hr/cycles/new/preview/", hr_cycles.open_cycle_preview, name="hr-cycle-preview"),
    path(CYCLE, hr_cycles.cycle_page, name="hr-cycle"),
    path(CYCLE + "recompute/", hr_cycles.recompute, name="hr-cycle-recompute"),
    path(CYCLE + "recompute/status/", hr_cycles.recompute_status, name="hr-cycle-recompute-status"),
    path(CYCLE + "archive/", hr_cycles.archive, name="hr-cycle-archive"),
    path(CYCLE + "reopen/", hr_cycles.request_reopen, name="hr-cycle-reopen"),
    path(CYCLE + "prepare/", hr_prepare.prepare_page, name="hr-prepare"),
    path(CYCLE + "prepare.xlsx", hr_prepare.prepare_xlsx, name="hr-prepare-xlsx"),
    path(CYCLE + "checks/", hr_checks.checks, name="hr-checks"),
    path(CYCLE + "checks/acknowledge/", hr_checks.acknowledge, name="hr-checks-acknowledge"),
    path(CYCLE + "reviews/", hr_reviews.review_list, name="hr-reviews"),
    path(CYCLE + "reviews.xlsx", list_exports.reviews_xlsx, name="hr-reviews-xlsx"),
    path(CYCLE + "appeals/", hr_reviews.appeals, name="hr-appeals"),
    path(CYCLE + "overdue/", hr_reports.overdue, name="hr-overdue"),
    path(CYCLE + "overdue.xlsx", list_exports.overdue_xlsx, name="hr-overdue-xlsx"),
    path(CYCLE + "summary/", hr_reports.summary, name="hr-summary"),
    path(CYCLE + "summary.xlsx", hr_reports.summary_xlsx, name="hr-summary-xlsx"),
    path(CYCLE + "paysheet/", hr_reports.paysheet_page, name="hr-paysheet"),
    path(CYCLE + "paysheet.xlsx", hr_reports.paysheet_xlsx, name="hr-paysheet-xlsx"),
    path("hr/reviews/<int:review_id>/", hr_reviews.review_page, name="hr-review"),
    path(
        "hr/reviews/<int:review_id>/row-decisions/<int:override_id>/drop/",
        hr_reviews.drop_row_decision,
        name="hr-drop-row-decision",
    ),
    path("hr/reviews/<int:review_id>/<str:action>/", hr_reviews.review_action, name="hr-review-action"),
    path("hr/imports/", hr_imports.imports, name="hr-imports"),
    path("hr/shifts/", hr_shifts.shifts_page, name="hr-shifts"),
    path("hr/shifts/remove/", hr_shifts.remove_schedule, name="hr-shifts-remove"),
    path("hr/imports/jobs/<str:job_id>/", hr_imports.import_job, name="hr-import-job"),
    path("hr/imports/jobs/<str:job_id>/status/", hr_imports.import_job_status, name="hr-import-job-status"),
    path("hr/imports/jobs/<str:job_id>/confirm/", hr_imports.import_confirm, name="hr-import-confirm"),
    path("hr/imports/jobs/<str:job_id>/cancel/", hr_imports.import_cancel, name="hr-import-cancel"),
    path(
        "hr/imports/jobs/<str:job_id>/problems.xlsx",
        list_exports.import_problems_xlsx,
        name="hr-import-problems-xlsx",
    ),
    path("hr/imports/batches/<str:batch>/withdraw/", hr_imports.withdraw, name="hr-import-withdraw"),
    path("hr/actions/", hr_actions.action_items, name="hr-actions"),
    path("hr/exports/<str:job_id>/", export_pages.export_job, name="hr-export-job"),
    path("hr/exports/<str:job_id>/status/", export_pages.export_job_status, name="hr-export-job-status"),
    path("hr/exports/<str:job_id>/download/", export_pages.export_download, name="hr-export-download"),
    path("hr/actions.xlsx", list_exports.actions_xlsx, name="hr-actions-xlsx"),
    path("hr/actions/<int:item_id>/close/", hr_actions.close_item, name="hr-action-close"),
    path("hr/audit/", hr_audit.audit_log, name="hr-audit"),
    path("hr/audit.xlsx", list_exports.audit_xlsx, name="hr-audit-xlsx"),
    path("hr/audit/verify/", hr_audit.audit_verify, name="hr-audit-verify"),
    path("gm/", gm_approvals.approvals, name="gm-approvals"),
    path("gm/approvals.xlsx", list_exports.approvals_xlsx, name="gm-approvals-xlsx"),
    path("gm/approve/", gm_approvals.approve_selected, name="gm-approve-selected"),
    path("gm/approve-matching/", gm_approvals.approve_matching, name="gm-approve-matching"),
    path("gm/cycles/<str:period>/approve/", gm_approvals.approve_cycle, name="gm-approve-cycle"),
    path("gm/reviews/<int:review_id>/", gm_approvals.review_page, name="gm-review"),
    path("gm/reviews/<int:review_id>/approve/", gm_approvals.approve, name="gm-approve"),
    path("gm/reviews/<int:review_id>/return/", gm_approvals.return_to_hr, name="gm-return"),
    path("gm/reopen/<str:period>/confirm/", gm_approvals.confirm_reopen, name="gm-reopen-confirm"),
    path("gm/reopen/<str:period>/decline/", gm_approvals.decline_reopen, name="gm-reopen-decline"),
]
