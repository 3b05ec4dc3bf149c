"""用户与角色 (/users/): logins, their roles, one-time passwords handed out as a workbook, deactivation, unlock.

Admin and HR open it; only admin grants or takes away admin (appraisal.logins decides). A one-time
password leaves the server only inside the downloaded workbook (no-store), never on a page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.accounts import logins
from shopkpi.appraisal.accounts.login_workbook import workbook
from shopkpi.appraisal.accounts.roles import ADMIN, GM, GROUP_ROLES, HR, employee_of, group_roles
from shopkpi.appraisal.models import Employee
from shopkpi.appraisal.wording import labels
from shopkpi.web.pages.common.list_pages import page_of
from shopkpi.web.pages.hr.access import users_page

PAGE_SIZE = 50
SHOWN = (
    ("active", _("在用")),
    ("locked", _("登录已锁定")),
    ("never", _("从未登录")),
    ("must_change", _("未改初始密码")),
    ("inactive", _("已停用")),
    ("all", _("全部")),
)
ROLE_ORDER = (HR, GM, ADMIN)


def _download(handed: list[logins.HandedOut], name: str) -> HttpResponse:
    response = HttpResponse(
        workbook(handed), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    response["Cache-Control"] = "no-store"  # one-time passwords: no copy in a cache
    return response


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _listed(request: HttpRequest) -> tuple[QuerySet[User], str, str, str]:
    query = request.GET.get("q", "").strip()
    shown = request.GET.get("shown", "active")
    role = request.GET.get("role", "")
    users = (
        User.objects.select_related("employee", "login_profile")
        .prefetch_related("groups")
        .order_by("username")
    )
    if shown == "inactive":
        users = users.filter(is_active=False)
    elif shown != "all":  # the locked, the never signed in, the unchanged passwords: of the active ones
        users = users.filter(is_active=True)
    if shown == "locked":
        users = users.alias(key=Lower("username")).filter(key__in=logins.locked_now())
    elif shown == "never":
        users = users.filter(last_login__isnull=True)
    elif shown == "must_change":
        users = users.filter(login_profile__must_change_password=True)
    if role in ROLE_ORDER:
        users = users.filter(groups__name=role)
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(employee__name__icontains=query)
            | Q(employee__code__icontains=query)
        )
    return users, query, shown, role


def _status(user: User, today: Any, locked: bool = False) -> list[str]:
    found = []
    if locked:
        found.append(str(_("登录已锁定")))
    if not user.is_active:
        found.append(str(_("已停用")))
    if logins.has_left(user, today):
        found.append(str(_("已离职")))
    if logins.must_change_password(user):
        found.append(str(_("未改初始密码")))
    return found or [str(_("正常"))]


def _roles(user: User) -> list[str]:
    held = {g.name for g in user.groups.all()}  # prefetched
    return [str(labels.ROLES[r]) for r in ROLE_ORDER if r in held]


def _without_login() -> QuerySet[Employee]:
    today = timezone.localdate()
    return (
        Employee.objects.filter(user__isnull=True)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .order_by("code")
    )


def _list_page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    users, query, shown, role = _listed(request)
    page, pages = page_of(request, users, PAGE_SIZE)
    today = timezone.localdate()
    locked = logins.locked(u.get_username() for u in page)
    rows = [
        {"user": u, "roles": _roles(u), "status": _status(u, today, u.get_username() in locked)} for u in page
    ]
    waiting = _without_login()
    actor_roles = group_roles(request.user)
    return render(
        request,
        "shopkpi/users/list.html",
        {
            **pages,
            "rows": rows,
            "query": query,
            "shown": shown,
            "states": SHOWN,
            "role": role,
            "roles": [(r, labels.ROLES[r]) for r in ROLE_ORDER],
            "back": request.GET.urlencode(),
            "waiting": waiting.count(),
            "waiting_codes": list(waiting.values_list("code", "name")[:500]),
            "role_choices": _role_choices(actor_roles),
            "error": error,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


def _role_choices(actor_roles: frozenset[str]) -> list[dict[str, Any]]:
    return [
        {"value": r, "label": str(labels.ROLES[r]), "allowed": r != ADMIN or ADMIN in actor_roles}
        for r in ROLE_ORDER
    ]


@users_page()
def user_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


@users_page()
@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    """A login for every active employee without one; the workbook of their one-time passwords."""
    try:
        handed = logins.issue(request.user)
    except logins.LoginRefused as refused:
        return _list_page(request, error=str(refused), status=409)
    if not handed:
        messages.info(request, _("所有在职员工都已有账号，没有发放新账号。"))
        return redirect("users")
    return _download(handed, f"logins-{_stamp()}.xlsx")


@users_page()
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    """One new login; the workbook with its one-time password."""
    chosen = [r for r in request.POST.getlist("roles") if r in GROUP_ROLES]
    try:
        handed = logins.create(
            request.user,
            username=request.POST.get("username", ""),
            employee_code=request.POST.get("employee", ""),
            roles=chosen,
        )
    except logins.LoginRefused as refused:
        return _list_page(request, error=str(refused), status=409)
    return _download([handed], f"login-{handed.username}-{_stamp()}.xlsx")


def _back(request: HttpRequest) -> str:
    """The users list's query string (filters, search, page) the detail page came from and returns to;
    re-encoded, so it is only ever a query string of /users/."""
    return QueryDict(request.POST.get("back") or request.GET.get("back", "")).urlencode()


def _to_detail(request: HttpRequest, user: User) -> HttpResponse:
    response = redirect("user-detail", user_id=user.pk)
    back = _back(request)
    if back:
        kept = QueryDict(mutable=True)
        kept["back"] = back
        response["Location"] += "?" + kept.urlencode()
    return response


def _detail_page(request: HttpRequest, user: User, *, error: str = "", status: int = 200) -> HttpResponse:
    held = set(logins.roles_of(user))
    actor_roles = group_roles(request.user)
    return render(
        request,
        "shopkpi/users/detail.html",
        {
            "subject": user,
            "employee": employee_of(user),
            "roles": _roles(user),
            "role_choices": [{**c, "held": c["value"] in held} for c in _role_choices(actor_roles)],
            "status": _status(user, timezone.localdate()),  # the lock has a line of its own
            "locked_until": logins.locked_until(user.get_username()),
            "is_self": user.pk == request.user.pk,
            "back": _back(request),
            "error": error,
        },
        status=status,
    )


def _subject(user_id: int) -> User:
    return get_object_or_404(User.objects.select_related("employee", "login_profile"), pk=user_id)


@users_page()
def detail(request: HttpRequest, user_id: int) -> HttpResponse:
    return _detail_page(request, _subject(user_id))


@users_page()
@require_POST
def change_roles(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _subject(user_id)
    chosen = {r for r in request.POST.getlist("roles") if r in GROUP_ROLES}
    held = set(logins.roles_of(user))
    allowed = {c["value"] for c in _role_choices(group_roles(request.user)) if c["allowed"]}
    # a role the actor may not change is not on their form: it stays as it is
    add, remove = (chosen - held) & allowed, (held - chosen) & allowed
    try:
        logins.change_roles(request.user, user.get_username(), add=add, remove=remove)
    except logins.LoginRefused as refused:
        return _detail_page(request, user, error=str(refused), status=409)
    messages.success(request, _("角色已保存。"))
    return _to_detail(request, user)


@users_page()
@require_POST
def reset(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _subject(user_id)
    try:
        handed = logins.reset(request.user, user.get_username())
    except logins.LoginRefused as refused:
        return _detail_page(request, user, error=str(refused), status=409)
    return _download([handed], f"password-{handed.username}-{_stamp()}.xlsx")


@users_page()
@require_POST
def deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _subject(user_id)
    if request.POST.get("confirm") != "yes":
        return _detail_page(request, user, error=str(_("请勾选确认后再停用。")), status=400)
    try:
        logins.deactivate(request.user, user.get_username())
    except logins.LoginRefused as refused:
        return _detail_page(request, user, error=str(refused), status=409)
    messages.success(request, _("用户已停用：不能再登录，已登录的会话和 API 令牌立即失效。"))
    return _to_detail(request, user)


@users_page()
@require_POST
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    user = _subject(user_id)
    logins.unlock(request.user, user.get_username())
    messages.success(request, _("已解除登录锁定。"))
    return _to_detail(request, user)
