"""The organisation pages (/org/) for HR and admin: 组织架构, 员工, 账号归属, 审批流程, 上传花名册."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkpi.web.pages.org import accounts as org_accounts
from shopkpi.web.pages.org import approval_chain as org_approval_chain
from shopkpi.web.pages.org import chart as org_chart
from shopkpi.web.pages.org import employees as org_employees
from shopkpi.web.pages.org import upload as org_upload

urlpatterns: list[URLPattern] = [
    path("org/", org_chart.chart, name="org-chart"),
    path("org/departments/new/", org_chart.department_new, name="org-department-new"),
    path("org/positions/new/", org_chart.position_new, name="org-position-new"),
    path(
        "org/positions/<int:position_id>/template/", org_chart.position_template, name="org-position-template"
    ),
    path(
        "org/positions/<int:position_id>/template/<str:kind>/",
        org_chart.position_period_template,
        name="org-position-period-template",
    ),
    path("org/employees/", org_employees.employee_list, name="org-employees"),
    path("org/employees/new/", org_employees.employee_new, name="org-employee-new"),
    path("org/employees/<str:code>/", org_employees.employee_detail, name="org-employee"),
    path("org/employees/<str:code>/change/", org_employees.employee_change, name="org-employee-change"),
    path("org/employees/<str:code>/leave/", org_employees.employee_leave, name="org-employee-leave"),
    path("org/accounts/", org_accounts.accounts, name="org-accounts"),
    path("org/accounts/<int:account_id>/end/", org_accounts.account_end, name="org-account-end"),
    path("org/approval-chain/", org_approval_chain.approval_chain_page, name="org-approval-chain"),
    path("org/upload/", org_upload.upload, name="org-upload"),
    path("org/upload/confirm/", org_upload.confirm, name="org-upload-confirm"),
]
