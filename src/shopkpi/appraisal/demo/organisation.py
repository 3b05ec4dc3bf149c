"""The demo company's users, and its HR officer: the organisation itself comes in through the same
import service and organisation service a company uses (`shopkpi import positions|employees|accounts`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from shopkpi.appraisal.accounts.roles import ADMIN, GM, HR
from shopkpi.appraisal.models import Employee, Position
from shopkpi.appraisal.organisation import service
from shopkpi.appraisal.organisation.period_templates import bind_period_template

DEMO_PASSWORD = "shopkpi-demo"  # demo mode only; printed by `shopkpi demo` and given in the README
DEMO_MAIL_DOMAIN = "demo-shop.example"
HR_CODE = "HR01"  # the HR officer: runs the cycles, not appraised in the demo
QUARTER_TEMPLATE = "quarter-card"  # every position's quarter: its months aggregated
YEAR_TEMPLATE = "year-card"
SEED_001_YEAR = "s001-year-end-award"  # seed 001's positions: the 年终特别奖 of their own seed


@dataclass(frozen=True)
class DemoPeople:
    hr: User
    gm: User
    employees: dict[str, User]  # employee code -> login (username = the code)


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    """One hash of the demo password for every demo login: hashing it for each (0.18 s with Argon2)
    took three minutes for a company of 1,000."""
    return make_password(DEMO_PASSWORD)


def _login(username: str, first_name: str = "") -> User:
    # every demo login has an address (the reserved .example domain), so its notices can be mailed
    email = f"{username.lower()}@{DEMO_MAIL_DOMAIN}"
    return User(username=username, email=email, first_name=first_name, password=_demo_password_hash())


def _user(username: str, *groups: str, first_name: str = "") -> User:
    user = _login(username, first_name)
    user.save()
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def add_logins() -> DemoPeople:
    """The HR officer (an employee of 人事行政部 through the organisation service), the GM, and a login
    for every imported employee (username = 工号)."""
    people = {e.code: e for e in Employee.objects.order_by("code")}
    service.put_position("hr", "人事专员", "s000-online-customer-service")
    service.add_employee(
        "hr", {"code": HR_CODE, "name": "周敏", "department": "人事行政部", "position": "人事专员"}
    )
    hr = _user("hr", HR, ADMIN, first_name="周敏")
    Employee.objects.filter(code=HR_CODE).update(user=hr)
    gm = _user("gm", GM, first_name="总经理")
    # the employees' logins made at once, in 工号 order (no groups; 2,000 statements at 1,000 people)
    created = User.objects.bulk_create([_login(code, employee.name) for code, employee in people.items()])
    logins = dict(zip(people, created, strict=True))
    for code, employee in people.items():
        employee.user = logins[code]
    Employee.objects.bulk_update(people.values(), ["user"], batch_size=500)
    return DemoPeople(hr=hr, gm=gm, employees=logins)


def bind_period_templates(hr: User) -> None:
    """Every position's quarterly card, and its annual one: seed 001's year-end award for the positions
    scored by seed 001's monthly cards, the year summary card for the others."""
    for position in Position.objects.order_by("name"):
        bind_period_template(hr, position, "quarter", QUARTER_TEMPLATE)
        year = SEED_001_YEAR if position.template_id.startswith("s001-") else YEAR_TEMPLATE
        bind_period_template(hr, position, "year", year)
