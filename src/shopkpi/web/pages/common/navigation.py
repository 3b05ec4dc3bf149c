"""The links of the top bar, by role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shopkpi.appraisal.accounts.roles import ADMIN, EMPLOYEE, EVALUATOR, GM, HR, roles
from shopkpi.appraisal.models import Notice
from shopkpi.appraisal.reviews import todo

# (path, label, roles that see it; empty = everyone signed in)
LINKS: list[tuple[str, str | Promise, frozenset[str]]] = [
    ("/", _("首页"), frozenset()),
    ("/reviews/mine/", _("我的考核"), frozenset({EMPLOYEE})),
    ("/team/", _("团队"), frozenset({EVALUATOR, HR, GM})),
    ("/incidents/", _("奖惩记录"), frozenset({EVALUATOR, HR})),
    ("/hr/", _("人事"), frozenset({HR})),
    ("/org/", _("组织架构"), frozenset({ADMIN, HR})),
    ("/gm/", _("审批"), frozenset({GM})),
    ("/dashboards/", _("看板"), frozenset({EVALUATOR, HR, GM})),
    ("/templates/", _("模板"), frozenset({ADMIN, HR})),
    (
        "/users/",
        pgettext_lazy("top bar", "用户"),
        frozenset({ADMIN, HR}),
    ),  # "Login" alone reads as signing in
]


def todo_counts(request: HttpRequest) -> dict[str, int]:
    """How many reviews wait for the signed-in user, by step (appraisal.todo), once per request."""
    found: dict[str, int] | None = getattr(request, "_shopkpi_todo_counts", None)
    if found is None:
        found = todo.counts(request.user, timezone.localdate())
        request._shopkpi_todo_counts = found  # type: ignore[attr-defined]
    return found


def nav_links(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": [], "unread_notices": 0, "todo_total": 0}
    held = roles(user)
    links = []
    for path, label, needed in LINKS:
        if needed and not (needed & held):
            continue
        current = request.path == path or (path != "/" and request.path.startswith(path))
        links.append({"url": path, "label": str(label), "current": current})
    unread = Notice.objects.filter(recipient=user, read_at=None).count()
    return {"nav_links": links, "unread_notices": unread, "todo_total": todo_counts(request)["total"]}


__all__ = ["ADMIN", "EVALUATOR", "GM", "HR", "LINKS", "nav_links", "todo_counts"]
