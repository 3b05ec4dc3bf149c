"""The confidentiality matrix (保密) and recusal (回避), generated from the API's own URL patterns.

Every endpoint under /api/ is found by walking the URL patterns (so a new endpoint is covered the day
it is added) and looked up in the OpenAPI document for its methods and an example body. Then:

- every endpoint that names a review × each role × each relation answers 404 where the spec says
  the review does not exist for that user, and 200 (reads) or a non-404 answer (actions) where it does;
- GET /api/reviews lists exactly the reviews the user may see;
- the endpoints that show no review data answer every signed-in user, and none answers without a token;
- every action that is not the employee's own, taken by an HR or GM user on their own review in the
  step where it could be taken, is refused (403, 回避);
- with a department's approval chain naming a reviewer (the 销售总经理 step), every endpoint that names
  a review answers that reviewer as the spec says (the reviews of that department from their step on,
  nothing else), the lists of every other role stay the same, and only they take their step.

The expectations are the spec's words, written here by hand — never asked from the policy module:
a review is visible to its employee, its evaluator in that cycle, HR and GM, and the named reviewers of
its approval chain once it has come to their step; to nobody else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import api_org
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shopkpi.appraisal.models import Rating, Review
from shopkpi.appraisal.policy import ACTIONS
from shopkpi.web.api import api

pytestmark = pytest.mark.django_db

# ---- the endpoints, from the URL patterns and the OpenAPI document ------------------------------


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


API_ROUTES = sorted("/" + r for r in _routes(get_resolver().url_patterns) if r.startswith("api/"))
NOT_OPERATIONS = {"/api/", "/api/openapi.json"}  # ninja's root (404) and the document itself
OPENAPI = api.get_openapi_schema()


def _openapi_path(route: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


OPERATIONS = [
    (method.upper(), route, OPENAPI["paths"].get(_openapi_path(route), {}).get(method, {}))
    for route in API_ROUTES
    if route not in NOT_OPERATIONS
    for method in (OPENAPI["paths"].get(_openapi_path(route)) or {"undocumented": None})
]
REVIEW_OPERATIONS = [(m, r, op) for m, r, op in OPERATIONS if "<review_id>" in r]
LIST_OPERATIONS = [(m, r, op) for m, r, op in OPERATIONS if (m, r) == ("GET", "/api/reviews")]
# no review data in these: the signed-in user themself
OPEN_OPERATIONS = [(m, r, op) for m, r, op in OPERATIONS if (m, r) in {("GET", "/api/me")}]
# the organisation (people, salaries, who owns which shop): HR, GM and admin; an employee their own record
ORGANISATION_PREFIXES = (
    "/api/employees",
    "/api/departments",
    "/api/positions",
    "/api/accounts",
    "/api/approval-chain",
)
ORGANISATION_OPERATIONS = [
    (m, r, op) for m, r, op in OPERATIONS if r.startswith(ORGANISATION_PREFIXES) or r == "/api/me/employee"
]
LOGIN_OPERATIONS = [(m, r, op) for m, r, op in OPERATIONS if (m, r) == ("POST", "/api/token")]
# the signed-in user's own password and API tokens: no other user's data unless the user is an admin
# (tests/web/test_api_password.py, tests/web/test_api_tokens.py)
OWN_OPERATIONS = [
    (m, r, op)
    for m, r, op in OPERATIONS
    if (m, r) == ("POST", "/api/me/password") or r.startswith("/api/tokens")
]
# the company's months (tests/web/test_api_month.py): each for some of HR, GM and admin, by hand from the
# spec — the months for all three, opening one and importing for HR, the pay sheet for HR and the GM
COMPANY_ROLES = {
    ("GET", "/api/cycles"): {"hr", "gm", "admin_only"},
    ("POST", "/api/cycles"): {"hr"},
    ("POST", "/api/imports"): {"hr"},
    ("GET", "/api/cycles/<period>/paysheet"): {"hr", "gm"},
}
COMPANY_OPERATIONS = [(m, r, op) for m, r, op in OPERATIONS if (m, r) in COMPANY_ROLES]
# incident records (奖惩记录): whoever may see a person's review sees their incidents (tested below)
INCIDENT_OPERATIONS = [(m, r, op) for m, r, op in OPERATIONS if r == "/api/incidents"]


def test_every_endpoint_is_in_the_matrix() -> None:
    classified = {
        id(op)
        for group in (
            REVIEW_OPERATIONS,
            LIST_OPERATIONS,
            OPEN_OPERATIONS,
            LOGIN_OPERATIONS,
            OWN_OPERATIONS,
            ORGANISATION_OPERATIONS,
            COMPANY_OPERATIONS,
            INCIDENT_OPERATIONS,
        )
        for *_, op in group
    }
    unclassified = [(m, r) for m, r, op in OPERATIONS if id(op) not in classified]
    assert unclassified == [], "classify these endpoints in the confidentiality matrix"
    undocumented = [(m, r) for m, r, op in OPERATIONS if not op]
    assert undocumented == [], "every endpoint is in the OpenAPI document"
    assert len(REVIEW_OPERATIONS) == 1 + len(ACTIONS)  # the detail and one POST per workflow action


def _example_body(operation: dict[str, Any]) -> dict[str, Any] | None:
    body = operation.get("requestBody")
    if body is None:
        return None
    if "application/json" not in body["content"]:
        return None  # a file upload (POST /api/imports): called with its own body where it matters
    schema = body["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = OPENAPI["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    examples = schema.get("examples")
    assert examples, f"{operation['operationId']}: its body schema needs an example for the matrix"
    return dict(examples[0])


# ---- who is asking, and whose review --------------------------------------------------------------

# role -> the org member (tests/web/api_org.py) who plays it
ACTORS = {
    "employee": "emp",
    "evaluator": "mgr",
    "evaluator_of_evaluators": "dir",
    "hr": "hr",
    "gm": "gm",
    "admin_only": "admin",
    "no_employee": "nobody",
}
# role -> relation -> whose review. The relation is the target's relation to the asking user.
RELATIONS = {
    "employee": {
        "self": "emp",
        "peer": "emp2",
        "other_department": "cs",
        "own_supervisor": "mgr",
        "supervisors_supervisor": "dir",
    },
    "evaluator": {
        "self": "mgr",
        "direct_report": "emp",
        "peer": "mgr2",
        "other_department": "cs",
        "own_supervisor": "dir",
    },
    "evaluator_of_evaluators": {
        "self": "dir",
        "direct_report": "mgr",
        "report_of_a_report": "emp",  # the asking user is the supervisor's own supervisor
        "peer": "hra",
        "other_department": "cs",
        "own_supervisor": "gm",
    },
    "hr": {
        "self": "hr",
        "direct_report": "hr2",
        "peer": "hra",
        "other_department": "emp",
        "own_supervisor": "gm",
    },
    "gm": {"self": "gm", "direct_report": "dir", "report_of_a_report": "mgr", "other_department": "emp"},
    "admin_only": {"unrelated_employee": "emp", "unrelated_hr": "hr", "unrelated_gm": "gm"},
    "no_employee": {"unrelated_employee": "emp", "unrelated_hr": "hr", "unrelated_gm": "gm"},
}


def visible(role: str, relation: str) -> bool:
    """The spec: the employee, the evaluator of that cycle, HR and GM; no one else."""
    return relation in {"self", "direct_report"} or role in {"hr", "gm"}


# role -> every review listed for them, by hand from the org chart
LISTED = {
    "employee": {"emp"},
    "evaluator": {"mgr", "emp", "emp2"},
    "evaluator_of_evaluators": {"dir", "mgr", "mgr2"},
    "hr": set(api_org.PEOPLE),
    "gm": set(api_org.PEOPLE),
    "admin_only": set(),
    "no_employee": set(),
}

CASES = [
    (role, relation, target)
    for role, relations in RELATIONS.items()
    for relation, target in relations.items()
]


# ---- one organisation for the whole module, each test rolled back to it --------------------------


@pytest.fixture(scope="module")
def org(django_db_setup: None, django_db_blocker: Any) -> Iterator[api_org.Org]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield api_org.build(hash_passwords=False)
        transaction.set_rollback(True)


@pytest.fixture
def client() -> Client:
    return Client()


def _call(
    client: Client,
    org: api_org.Org,
    who: str | None,
    method: str,
    route: str,
    operation: dict[str, Any],
    review: Review | None = None,
) -> Any:
    path = route.replace("<period>", api_org.PERIOD)
    path = path if review is None else path.replace("<review_id>", str(review.pk))
    headers = {} if who is None else org.auth(who)
    if method == "GET":
        return client.get(path, **headers)
    body = _example_body(operation)
    if body is not None and "expected_version" in body and review is not None:
        body["expected_version"] = Review.objects.get(pk=review.pk).version
    return client.generic(
        method,
        path,
        data=None if body is None else json.dumps(body),
        content_type="application/json",
        **headers,
    )


@pytest.mark.parametrize(
    ("method", "route", "operation"), REVIEW_OPERATIONS, ids=[f"{m} {r}" for m, r, _ in REVIEW_OPERATIONS]
)
@pytest.mark.parametrize(
    ("role", "relation", "target"), CASES, ids=[f"{role}-{rel}" for role, rel, _ in CASES]
)
def test_a_review_exists_only_for_those_who_may_see_it(
    client: Client,
    org: api_org.Org,
    method: str,
    route: str,
    operation: dict[str, Any],
    role: str,
    relation: str,
    target: str,
) -> None:
    answer = _call(client, org, ACTORS[role], method, route, operation, org.reviews[target])
    if not visible(role, relation):
        assert answer.status_code == 404, answer.content
        assert answer.json() == {
            "code": "review_not_found",
            "detail": "review not found",
        }  # the same as for an id that does not exist
    elif method == "GET":
        assert answer.status_code == 200, answer.content
    else:
        # the action may be refused or not possible now, but the review exists for this user
        assert answer.status_code in {200, 403, 409}, answer.content


@pytest.mark.parametrize(
    ("method", "route", "operation"), LIST_OPERATIONS, ids=[f"{m} {r}" for m, r, _ in LIST_OPERATIONS]
)
@pytest.mark.parametrize("role", list(ACTORS))
def test_lists_leave_out_what_the_user_may_not_see(
    client: Client, org: api_org.Org, method: str, route: str, operation: dict[str, Any], role: str
) -> None:
    answer = client.get(route, {"limit": 500}, **org.auth(ACTORS[role]))
    assert answer.status_code == 200
    body = answer.json()
    expected = {org.reviews[key].pk for key in LISTED[role]}
    assert {row["id"] for row in body["items"]} == expected
    assert body["count"] == len(expected)


@pytest.mark.parametrize(
    ("method", "route", "operation"), OPEN_OPERATIONS, ids=[f"{m} {r}" for m, r, _ in OPEN_OPERATIONS]
)
@pytest.mark.parametrize("role", list(ACTORS))
def test_endpoints_without_review_data_answer_every_signed_in_user(
    client: Client, org: api_org.Org, method: str, route: str, operation: dict[str, Any], role: str
) -> None:
    answer = _call(client, org, ACTORS[role], method, route, operation)
    assert answer.status_code == 200
    assert "score" not in answer.content.decode()


# ---- the organisation ---------------------------------------------------------------------------------

READS_ORGANISATION = {"hr", "gm", "admin_only"}  # the spec: HR, GM and admin
CHANGES_ORGANISATION = {"hr", "admin_only"}  # the GM reads it only
PATH_VALUES = {"<code>": "E012", "<str:code>": "E012", "<name>": "运营专员", "<str:name>": "运营专员"}
PATH_VALUES |= {"<account_id>": "987654", "<int:account_id>": "987654"}


def _organisation_path(route: str) -> str:
    for pattern, value in PATH_VALUES.items():
        route = route.replace(pattern, value)
    assert "<" not in route, route
    return route


# one person's record: theirs too (below)
PERSONAL = {"/api/me/employee"} | {r for m, r, _ in ORGANISATION_OPERATIONS if m == "GET" and "code>" in r}
ORGANISATION_CASES = [
    (m, r, op, role)
    for m, r, op in ORGANISATION_OPERATIONS
    if not (m == "GET" and r in PERSONAL)
    for role in ACTORS
]


@pytest.mark.parametrize(
    ("method", "route", "operation", "role"),
    ORGANISATION_CASES,
    ids=[f"{m} {r} {role}" for m, r, _, role in ORGANISATION_CASES],
)
def test_the_organisation_is_for_hr_gm_and_admin(
    client: Client, org: api_org.Org, method: str, route: str, operation: dict[str, Any], role: str
) -> None:
    answer = _call(client, org, ACTORS[role], method, _organisation_path(route), operation)
    allowed = READS_ORGANISATION if method == "GET" else CHANGES_ORGANISATION
    if role not in allowed:
        assert answer.status_code == 403, answer.content
        assert answer.json()["code"] == "organisation_forbidden"
    else:
        # the change may be refused (a refusal of the service, a record that does not exist), but not for
        # who is asking
        assert answer.status_code in {200, 201, 400, 404}, answer.content
        assert answer.status_code != 403


ONE_EMPLOYEE = [(m, r, op) for m, r, op in ORGANISATION_OPERATIONS if m == "GET" and "code>" in r]


@pytest.mark.parametrize(("method", "route", "operation"), ONE_EMPLOYEE, ids=[r for _, r, _ in ONE_EMPLOYEE])
@pytest.mark.parametrize(
    ("role", "relation", "target"), CASES, ids=[f"{role}-{rel}" for role, rel, _ in CASES]
)
def test_an_employee_record_is_seen_by_its_employee_and_the_organisation_readers(
    client: Client,
    org: api_org.Org,
    method: str,
    route: str,
    operation: dict[str, Any],
    role: str,
    relation: str,
    target: str,
) -> None:
    code = org.employees[target].code
    answer = client.get(route.replace("<str:code>", code).replace("<code>", code), **org.auth(ACTORS[role]))
    if role in READS_ORGANISATION or relation == "self":
        assert answer.status_code == 200, answer.content
        assert answer.json()["id"] == code
    else:
        assert answer.status_code == 404, answer.content  # as if it did not exist


@pytest.mark.parametrize("role", list(ACTORS))
def test_my_employee_record(client: Client, org: api_org.Org, role: str) -> None:
    answer = client.get("/api/me/employee", **org.auth(ACTORS[role]))
    if ACTORS[role] in api_org.PEOPLE:
        assert answer.status_code == 200 and answer.json()["id"] == api_org.PEOPLE[ACTORS[role]][0]
    else:
        assert answer.status_code == 404


@pytest.mark.parametrize(
    ("method", "route", "operation"), COMPANY_OPERATIONS, ids=[f"{m} {r}" for m, r, _ in COMPANY_OPERATIONS]
)
@pytest.mark.parametrize("role", list(ACTORS))
def test_the_companys_months_answer_only_their_roles(
    client: Client, org: api_org.Org, method: str, route: str, operation: dict[str, Any], role: str
) -> None:
    who = ACTORS[role]
    if route == "/api/imports":
        upload = SimpleUploadedFile(
            "targets.csv", "工号,考核期间,目标名称,目标值\nE012,2026-03,目标,1\n".encode()
        )
        answer = client.post(route, {"file": upload, "dry_run": "true"}, **org.auth(who))
    else:
        answer = _call(client, org, who, method, route, operation)
    if role in COMPANY_ROLES[(method, route)]:
        # allowed: answered (a new month may be refused for its own reasons), never 403
        assert answer.status_code in {200, 201, 409}, answer.content
    else:
        assert answer.status_code == 403, answer.content
        assert answer.json()["code"] == "wrong_party"
        assert "score" not in answer.content.decode()


@pytest.mark.parametrize("role", list(ACTORS))
def test_incidents_are_listed_as_the_reviews_are(client: Client, org: api_org.Org, role: str) -> None:
    """One incident of every person in the period: each role lists those of the people whose reviews it
    lists (the employee their own, a supervisor their reports' and their own, HR and the GM everyone's)."""
    from shopkpi.appraisal.models import Employee, Incident

    for key in api_org.PEOPLE:
        Incident.objects.create(
            employee=org.employees[key],
            occurred_on=date(2026, 3, 5),
            kind="差评次数",
            amount=1,
            note="顾客差评",
            recorded_by=org.users["hr"],
        )
    answer = client.get("/api/incidents?period=2026-03&limit=500", **org.auth(ACTORS[role]))
    assert answer.status_code == 200
    codes = {item["employee"] for item in answer.json()["items"]}
    keys = {
        key
        for key, employee in org.employees.items()
        if isinstance(employee, Employee) and employee.code in codes
    }
    assert keys == LISTED[role]


@pytest.mark.parametrize(("who", "status"), [("emp", 403), ("cs", 403), ("mgr", 409), ("hr", 409)])
def test_only_hr_and_the_supervisor_record_an_incident(
    client: Client, org: api_org.Org, who: str, status: int
) -> None:
    """emp for themself: 回避; cs (another department): not theirs; the supervisor and HR get as far as the
    kind, which this company's scorecard does not count (409 with the problem)."""
    body = {
        "employee": org.employees["emp"].code,
        "occurred_on": "2026-03-05",
        "kind": "差评次数",
        "amount": "1",
        "note": "差评",
    }
    answer = client.post("/api/incidents", body, content_type="application/json", **org.auth(who))
    assert answer.status_code == status, answer.content
    assert (
        answer.json()["code"]
        == {403: "recusal" if who == "emp" else "wrong_party", 409: "incident_refused"}[status]
    )


SECURED = [(m, r, op) for m, r, op in OPERATIONS if op.get("security")]


@pytest.mark.parametrize(("method", "route", "operation"), SECURED, ids=[f"{m} {r}" for m, r, _ in SECURED])
def test_no_token_is_401(
    client: Client, org: api_org.Org, method: str, route: str, operation: dict[str, Any]
) -> None:
    answer = _call(client, org, None, method, route, operation, org.reviews["emp"])
    assert answer.status_code == 401


def test_only_login_is_open() -> None:
    assert [(m, r) for m, r, op in OPERATIONS if not op.get("security")] == [("POST", "/api/token")]


# ---- recusal: nobody acts on their own review in any role but the employee's --------------------

EMPLOYEE_ACTIONS = {
    "save_self",
    "submit_self",
    "withdraw_self",
    "acknowledge",
    "appeal",
}  # the employee's steps
ACTION_OPERATIONS = [(m, r, op) for m, r, op in REVIEW_OPERATIONS if m == "POST"]
RECUSAL = [
    (who, m, r, op)
    for who in ("hr", "gm")
    for m, r, op in ACTION_OPERATIONS
    if r.rsplit("/", 1)[1] not in EMPLOYEE_ACTIONS
]


@pytest.mark.parametrize(
    ("who", "method", "route", "operation"),
    RECUSAL,
    ids=[f"{w} {r.rsplit('/', 1)[1]}" for w, _, r, _ in RECUSAL],
)
def test_hr_and_gm_do_not_act_on_their_own_review(
    client: Client, org: api_org.Org, who: str, method: str, route: str, operation: dict[str, Any]
) -> None:
    action = route.rsplit("/", 1)[1]
    review = org.reviews[who]
    for status in sorted(ACTIONS[action][0]):  # every step the action could be taken in
        Review.objects.filter(pk=review.pk).update(status=status)
        answer = _call(client, org, who, method, route, operation, review)
        assert answer.status_code == 403, (status, answer.content)
        assert "回避" in answer.json()["detail"]


def _complete(review: Review, org: api_org.Org, status: str) -> None:
    Rating.objects.create(
        review=review, item_key="attitude", rater="supervisor", value=80, rated_by=org.users["gm"]
    )
    Review.objects.filter(pk=review.pk).update(status=status)


def test_an_hr_users_own_review_is_submitted_by_another_hr_user(client: Client, org: api_org.Org) -> None:
    review = org.reviews["hr"]
    _complete(review, org, "pending_hr")
    body = {"expected_version": 1}
    own = client.post(
        f"/api/reviews/{review.pk}/submit_hr", body, content_type="application/json", **org.auth("hr")
    )
    assert own.status_code == 403
    assert "回避" in own.json()["detail"]
    other = client.post(
        f"/api/reviews/{review.pk}/submit_hr", body, content_type="application/json", **org.auth("hr2")
    )
    assert other.status_code == 200, other.content
    assert other.json()["status"] == "pending_gm"


def test_a_gms_own_review_is_approved_by_another_gm(client: Client, org: api_org.Org) -> None:
    review = org.reviews["gm"]
    _complete(review, org, "pending_gm")
    body = {"expected_version": 1, "reason": ""}
    own = client.post(
        f"/api/reviews/{review.pk}/approve", body, content_type="application/json", **org.auth("gm")
    )
    assert own.status_code == 403
    assert "回避" in own.json()["detail"]
    other = client.post(
        f"/api/reviews/{review.pk}/approve", body, content_type="application/json", **org.auth("gm2")
    )
    assert other.status_code == 200, other.content
    assert other.json()["status"] == "published"


def test_the_evaluator_of_the_cycle_not_todays_supervisor(client: Client, org: api_org.Org) -> None:
    # emp's review was evaluated by mgr2 in this cycle; emp reports to mgr today
    review = org.reviews["emp"]
    Review.objects.filter(pk=review.pk).update(evaluator=org.employees["mgr2"])
    assert client.get(f"/api/reviews/{review.pk}", **org.auth("mgr2")).status_code == 200
    assert client.get(f"/api/reviews/{review.pk}", **org.auth("mgr")).status_code == 404


# ---- the approval chain: a named reviewer (the spec: "the people on a review's chain see it as the evaluator
# does; no one else gains sight of it") -------------------------------------------------------------------------

# 运营部's chain names 胡助理 (hra: no HR or GM role, evaluates nobody) as its 销售总经理 step, before HR and GM.
# emp's review has come to that step; emp2's has not. By hand, from the org chart:
CHAIN_REVIEWER = "hra"
CHAIN_RELATIONS = {
    "self": "hra",
    "on_their_step": "emp",  # 运营部, at hra's step
    "before_their_step": "emp2",  # 运营部, not yet at hra's step
    "chain_department_manager": "mgr",  # 运营部, not yet at hra's step
    "other_department": "cs",  # 客服部 follows the company's (default) chain
    "own_supervisor": "gm",
    "peer": "hr2",
}
CHAIN_VISIBLE = {"self", "on_their_step"}
CHAIN_CASES = list(CHAIN_RELATIONS.items())


@pytest.fixture
def chain_set(org: api_org.Org) -> None:
    """运营部's chain copied to this cycle's reviews (as opening the month would), emp's review at its first step."""
    from django.utils import timezone

    from shopkpi.appraisal.models import Department, ReviewStep
    from shopkpi.appraisal.organisation import approval_chain
    from shopkpi.appraisal.reviews import chain

    approval_chain.replace(
        "hr",
        Department.objects.get(name="运营部"),
        [
            {"name": "销售总经理审核", "actor": "person", "person": api_org.PEOPLE[CHAIN_REVIEWER][0]},
            {"name": "人事核准汇总", "actor": "hr"},
            {"name": "总经理批准", "actor": "gm"},
        ],
    )
    assert org.cycle is not None
    chain.attach(org.cycle, list(Review.objects.select_related("employee")))
    Review.objects.filter(pk=org.reviews["emp"].pk).update(status="pending_step", chain_step=0)
    ReviewStep.objects.filter(review=org.reviews["emp"], order=0).update(reached_at=timezone.now())


@pytest.mark.parametrize(
    ("method", "route", "operation"), REVIEW_OPERATIONS, ids=[f"{m} {r}" for m, r, _ in REVIEW_OPERATIONS]
)
@pytest.mark.parametrize(("relation", "target"), CHAIN_CASES, ids=[rel for rel, _ in CHAIN_CASES])
def test_a_named_reviewer_sees_a_review_only_from_their_step_on(
    client: Client,
    org: api_org.Org,
    chain_set: None,
    method: str,
    route: str,
    operation: dict[str, Any],
    relation: str,
    target: str,
) -> None:
    answer = _call(client, org, CHAIN_REVIEWER, method, route, operation, org.reviews[target])
    if relation not in CHAIN_VISIBLE:
        assert answer.status_code == 404, answer.content
    elif method == "GET":
        assert answer.status_code == 200, answer.content
    else:
        assert answer.status_code in {200, 403, 409}, answer.content


@pytest.mark.parametrize("role", list(ACTORS))
def test_a_chain_gives_nobody_else_sight_of_a_review(
    client: Client, org: api_org.Org, chain_set: None, role: str
) -> None:
    answer = client.get("/api/reviews", {"limit": 500}, **org.auth(ACTORS[role]))
    assert {row["id"] for row in answer.json()["items"]} == {org.reviews[key].pk for key in LISTED[role]}


def test_only_the_named_reviewer_takes_their_step(client: Client, org: api_org.Org, chain_set: None) -> None:
    review = org.reviews["emp"]
    body = {"expected_version": 1, "reason": "同意"}
    for who in ("emp", "mgr", "hr", "gm"):  # they see the review; the step is not theirs
        refused = client.post(
            f"/api/reviews/{review.pk}/pass_step", body, content_type="application/json", **org.auth(who)
        )
        assert refused.status_code == 403, (who, refused.content)
    taken = client.post(
        f"/api/reviews/{review.pk}/pass_step", body, content_type="application/json", **org.auth("hra")
    )
    assert taken.status_code == 200, taken.content
    assert taken.json()["status"] == "pending_hr"
    # after their step they still see it
    assert client.get(f"/api/reviews/{review.pk}", **org.auth("hra")).status_code == 200
