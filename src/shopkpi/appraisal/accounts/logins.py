"""Logins (用户) and their roles: the rules `shopkpi init`, `shopkpi users …`, the users page and the API share.

Who may: admin and HR manage logins; only admin grants or takes away the admin role. The command
line acts as the operator of the home (whoever runs it holds the home's files) and may do all of it.

A password handed out (issued, reset, or given when a login is created) is a one-time password: it
goes back to the caller to be written into the workbook and nowhere else (never logged, never in the
audit log), and its user must change it before anything else. Leavers cannot sign in from the day
after their 离职日期.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shopkpi.appraisal import audit
from shopkpi.appraisal.accounts import login_throttle
from shopkpi.appraisal.accounts.roles import ADMIN, GROUP_ROLES, HR, employee_of, group_roles
from shopkpi.appraisal.company import set_company_name
from shopkpi.appraisal.models import ApiToken, Employee, LoginProfile
from shopkpi.appraisal.policy import ActionRefused

# no 0/O, 1/l/I: the password is typed from a printed or forwarded workbook
ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ONE_TIME_LENGTH = 14  # about 81 bits


class LoginRefused(ActionRefused):
    """A change of logins that is not allowed or not possible; the message says why."""

    code = "login_refused"


class PasswordChangeRequired(ActionRefused):
    """The user signs in with a one-time password and must change it before anything else."""

    code = "password_change_required"

    def __init__(self) -> None:
        super().__init__(_("请先修改初始密码：POST /api/me/password，带 old_password 和 new_password。"))


class PasswordRefused(Exception):
    """A new password that is not accepted (wrong old password, Django's validators)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Operator:
    """The command line acting on the home; named in the audit log by the operating-system user."""

    name: str


@dataclass(frozen=True)
class HandedOut:
    """A login and its one-time password, for the workbook only."""

    code: str  # 工号, "" for a login of no employee
    name: str  # 姓名
    username: str
    password: str = field(repr=False)


def actor_name(by: Any) -> str:
    return by.name if isinstance(by, Operator) else str(by.get_username())


def may_manage(user: Any) -> bool:
    """Admin and HR manage logins."""
    return bool({ADMIN, HR} & group_roles(user))


def _require_manager(by: Any) -> None:
    if not isinstance(by, Operator) and not may_manage(by):
        raise LoginRefused(_("只有管理员和人事可以管理用户。"), code="not_allowed")


def _require_role_change(by: Any, role: str) -> None:
    if role not in GROUP_ROLES:
        raise LoginRefused(
            _("没有“%(role)s”这个角色（可选：hr、gm、admin）。") % {"role": role}, code="unknown_role"
        )
    _require_manager(by)
    if role == ADMIN and not isinstance(by, Operator) and ADMIN not in group_roles(by):
        raise LoginRefused(_("只有管理员可以授予或撤销管理员角色。"), code="not_allowed")


def one_time_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(ONE_TIME_LENGTH))


def _checked(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise PasswordRefused(" ".join(error.messages), code="password_invalid") from None


def user_named(username: str) -> User:
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise LoginRefused(
            _("没有用户名为“%(username)s”的用户。") % {"username": username}, code="no_such_user"
        )
    return user


def roles_of(user: User) -> list[str]:
    return sorted(user.groups.filter(name__in=GROUP_ROLES).values_list("name", flat=True))


def _grant(user: User, roles: Iterable[str]) -> None:
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])


def _set_one_time(user: User, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])
    LoginProfile.objects.update_or_create(user=user, defaults={"must_change_password": True})


def _handed_out(user: User, password: str) -> HandedOut:
    employee = employee_of(user)
    return HandedOut(
        code="" if employee is None else employee.code,
        name=user.first_name if employee is None else employee.name,
        username=user.get_username(),
        password=password,
    )


# ---- first run --------------------------------------------------------------------------------


def first_admin(by: Operator, *, username: str, password: str, company: str) -> User:
    """The home's first login, with the admin and HR roles, and the company's name.

    Refused (nothing changed) when the home has users already, or the password is not accepted."""
    username = username.strip()
    if not username:
        raise LoginRefused(_("请给出管理员的用户名。"), code="username_missing")
    if not company.strip():
        raise LoginRefused(_("请给出公司名称。"), code="company_missing")
    with transaction.atomic():
        if User.objects.exists():
            raise LoginRefused(
                _("这个数据目录已经有用户，不能再次初始化；请用 `shopkpi users` 管理用户。"),
                code="home_has_users",
            )
        user = User(username=username)
        _checked(password, user)
        user.set_password(password)
        user.save()
        _grant(user, (ADMIN, HR))
        set_company_name(company, by.name)
        audit.record(
            by.name,
            "user.create",
            object_type="user",
            object_id=username,
            after={"username": username, "roles": [ADMIN, HR], "active": True},
        )
    return user


# ---- handing out logins -----------------------------------------------------------------------


def _active_employees(today: dt.date) -> Any:
    return Employee.objects.filter(Q(left_on__isnull=True) | Q(left_on__gte=today))


def issue(by: Any, *, today: dt.date | None = None) -> list[HandedOut]:
    """A login for every active employee without one: the username is the 工号, the password one-time.

    Refused whole when a 工号 is already the username of another login."""
    _require_manager(by)
    today = today or timezone.localdate()
    with transaction.atomic():
        without = list(_active_employees(today).filter(user__isnull=True).order_by("code"))
        taken = sorted(
            User.objects.filter(username__in=[e.code for e in without]).values_list("username", flat=True)
        )
        if taken:
            raise LoginRefused(
                _("这些工号已是其他用户的用户名，请先处理：%(usernames)s。")
                % {"usernames": "、".join(taken)},
                code="username_taken",
            )
        handed: list[HandedOut] = []
        for employee in without:
            password = one_time_password()
            user = User.objects.create_user(employee.code, first_name=employee.name)
            _set_one_time(user, password)
            employee.user = user
            employee.save(update_fields=["user"])
            audit.record(
                actor_name(by),
                "user.issue",
                object_type="user",
                object_id=user.username,
                after={"username": user.username, "employee": employee.code, "must_change_password": True},
            )
            handed.append(HandedOut(employee.code, employee.name, user.username, password))
    return handed


def create(by: Any, *, username: str, employee_code: str = "", roles: Iterable[str] = ()) -> HandedOut:
    """One new login (for an employee, or for someone who is not one, such as an outside GM)."""
    _require_manager(by)
    roles = sorted(set(roles))
    for role in roles:
        _require_role_change(by, role)
    username = username.strip()
    if not username:
        raise LoginRefused(_("请填写用户名。"), code="username_missing")
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise LoginRefused(
                _("用户名“%(username)s”已被使用。") % {"username": username}, code="username_taken"
            )
        employee = None
        if employee_code.strip():
            employee = Employee.objects.filter(code=employee_code.strip()).first()
            if employee is None:
                raise LoginRefused(
                    _("没有工号为“%(code)s”的员工。") % {"code": employee_code.strip()},
                    code="no_such_employee",
                )
            if employee.user_id is not None:
                raise LoginRefused(
                    _("员工 %(code)s 已有用户“%(username)s”。")
                    % {
                        "code": employee.code,
                        "username": employee.user.get_username() if employee.user else "",
                    },
                    code="employee_has_login",
                )
        password = one_time_password()
        user = User.objects.create_user(username, first_name="" if employee is None else employee.name)
        _set_one_time(user, password)
        _grant(user, roles)
        if employee is not None:
            employee.user = user
            employee.save(update_fields=["user"])
        audit.record(
            actor_name(by),
            "user.create",
            object_type="user",
            object_id=username,
            after={
                "username": username,
                "employee": None if employee is None else employee.code,
                "roles": roles,
                "active": True,
                "must_change_password": True,
            },
        )
    return _handed_out(user, password)


def reset(by: Any, username: str) -> HandedOut:
    """A new one-time password for the login; its API tokens stop working."""
    _require_manager(by)
    with transaction.atomic():
        user = user_named(username)
        if ADMIN in group_roles(user) and not isinstance(by, Operator) and ADMIN not in group_roles(by):
            raise LoginRefused(_("只有管理员可以重置管理员的密码。"), code="not_allowed")
        password = one_time_password()
        _set_one_time(user, password)
        ApiToken.objects.filter(user=user).delete()
        audit.record(
            actor_name(by),
            "user.password_reset",
            object_type="user",
            object_id=user.username,
            after={"must_change_password": True},
        )
    return _handed_out(user, password)


def _other_active_admins(user: User) -> bool:
    return User.objects.filter(is_active=True, groups__name=ADMIN).exclude(pk=user.pk).exists()


def deactivate(by: Any, username: str) -> None:
    """The login can no longer sign in; its sessions and API tokens stop working. Kept for the record."""
    _require_manager(by)
    with transaction.atomic():
        user = user_named(username)
        if not isinstance(by, Operator) and user.pk == by.pk:
            raise LoginRefused(_("不能停用自己的用户。"), code="own_login")
        if ADMIN in group_roles(user):
            if not isinstance(by, Operator) and ADMIN not in group_roles(by):
                raise LoginRefused(_("只有管理员可以停用管理员。"), code="not_allowed")
            if user.is_active and not _other_active_admins(user):
                raise LoginRefused(_("这是唯一的管理员，不能停用。"), code="last_admin")
        if not user.is_active:
            return
        user.is_active = False
        user.save(update_fields=["is_active"])
        ApiToken.objects.filter(user=user).delete()
        audit.record(
            actor_name(by),
            "user.deactivate",
            object_type="user",
            object_id=user.username,
            before={"active": True},
            after={"active": False},
        )


def change_roles(by: Any, username: str, *, add: Iterable[str] = (), remove: Iterable[str] = ()) -> list[str]:
    """Grant and take away HR, GM and admin; the roles held afterwards."""
    add, remove = set(add), set(remove)
    for role in add | remove:
        _require_role_change(by, role)
    with transaction.atomic():
        user = user_named(username)
        before = roles_of(user)
        if ADMIN in remove and ADMIN in before and user.is_active and not _other_active_admins(user):
            raise LoginRefused(_("这是唯一的管理员，不能撤销其管理员角色。"), code="last_admin")
        _grant(user, add - set(before))
        user.groups.remove(*Group.objects.filter(name__in=remove))
        user._shopkpi_group_roles = None  # type: ignore[attr-defined]
        after = roles_of(user)
        if after != before:
            audit.record(
                actor_name(by),
                "user.roles",
                object_type="user",
                object_id=user.username,
                before={"roles": before},
                after={"roles": after},
            )
    return after


# ---- one's own password -----------------------------------------------------------------------


def must_change_password(user: Any) -> bool:
    """True while the user still signs in with a handed-out password."""
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        return bool(user.login_profile.must_change_password)
    except LoginProfile.DoesNotExist:
        return False


def change_password(user: Any, old_password: str, new_password: str) -> None:
    """The user's own new password: the old one must be right, the new one pass Django's validators."""
    if not user.check_password(old_password):
        raise PasswordRefused(_("原密码不正确。"), code="wrong_password")
    if new_password == old_password:
        raise PasswordRefused(_("新密码不能与原密码相同。"), code="password_unchanged")
    _checked(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        profile = LoginProfile.objects.filter(user=user).first()
        was_one_time = profile is not None and profile.must_change_password
        if profile is not None and was_one_time:
            profile.must_change_password = False
            profile.save(update_fields=["must_change_password"])
            user.login_profile = profile
        audit.record(
            user.get_username(),
            "user.password_change",
            object_type="user",
            object_id=user.get_username(),
            before={"must_change_password": was_one_time},
            after={"must_change_password": False},
        )


# ---- who may sign in --------------------------------------------------------------------------


def has_left(user: Any, today: dt.date | None = None) -> bool:
    """True from the day after the user's employee's 离职日期."""
    employee = employee_of(user)
    if employee is None or employee.left_on is None:
        return False
    return bool(employee.left_on < (today or timezone.localdate()))


def sign_in_refusal(user: Any) -> tuple[str, str] | None:
    """(code, message) when this user, whose password was right, may not sign in; else None."""
    if not user.is_active:
        return "login_inactive", _("这个用户已停用，请联系人事。")
    if has_left(user):
        left_on = employee_of(user).left_on
        return "former_employee", _("您已于 %(date)s 离职，不能再登录。") % {"date": left_on.isoformat()}
    return None


def locked_until(username: str) -> dt.datetime | None:
    """When the throttle lets this username try again, while its failures lock it; else None."""
    try:
        login_throttle.check(username, address="")
    except login_throttle.LoginLocked as locked:
        return locked.until
    return None


def locked(usernames: Iterable[str]) -> set[str]:
    """Those of the usernames the throttle locks now (a page of logins at once)."""
    return login_throttle.locked(usernames)


def locked_now() -> set[str]:
    """Every username (lower case) the throttle locks now."""
    return login_throttle.locked_keys()


def unlock(by: Any, username: str) -> None:
    """Lift the throttle's lock of the username (its failed tries are forgotten); audited."""
    _require_manager(by)
    login_throttle.unlock(user_named(username).get_username(), actor_name(by))
