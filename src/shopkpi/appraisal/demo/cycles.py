"""The demo company's months: five archived cycles and a sixth in progress, every step through the workflow."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User

from shopkpi.appraisal.demo.incidents import record_demo_incidents
from shopkpi.appraisal.demo.organisation import HR_CODE, DemoPeople
from shopkpi.appraisal.models import Cycle, Review
from shopkpi.appraisal.organisation.snapshot import take_snapshot
from shopkpi.appraisal.periods.cycles import archive_cycle, eligible_employees, open_cycle
from shopkpi.appraisal.reviews import workflow
from shopkpi.data.warehouse.catalogue import Warehouse
from shopkpi.scorecard.periods import Period

S = Review.Status
Say = Callable[[str], None]

STRENGTHS = ["数据意识强，日报及时", "响应快，客户评价好", "活动执行到位", "设计出图稳定"]
IMPROVEMENTS = ["转化率仍有提升空间", "售后跟进需更主动", "复盘报告可更深入", "跨部门沟通可加强"]
PLANS = ["下月每周复盘一次转化漏斗", "建立售后回访清单", "活动后三天内提交复盘", "每周与运营对齐需求"]


def ratings_of(home: Path, period: str) -> dict[tuple[str, str], dict[str, str]]:
    """(employee, rater) -> {item: rating} from the imported `ratings` dataset."""
    connection = Warehouse(home).connect(read_only=True)
    try:
        rows = connection.execute(
            "SELECT employee, rater, item, rating FROM ratings WHERE period = ? ORDER BY employee, item",
            [period],
        ).fetchall()
    finally:
        connection.close()
    found: dict[tuple[str, str], dict[str, str]] = {}
    for employee, rater, item, rating in rows:
        found.setdefault((str(employee), str(rater)), {})[str(item)] = str(rating)
    return found


def received_of(home: Path, period: str) -> dict[str, Decimal]:
    """Each agent's 接待量 in the month, by the employee who owned the agent account."""
    connection = Warehouse(home).connect(read_only=True)
    try:
        take_snapshot().register(connection, Period.parse(period).end)
        rows = connection.execute(
            """SELECT a.employee, sum(c.received) FROM cs_daily c
               JOIN accounts a ON a.kind = 'agent' AND a.account = c.agent
               WHERE strftime(c.date, '%Y-%m') = ? GROUP BY a.employee""",
            [period],
        ).fetchall()
    finally:
        connection.close()
    return {str(employee): Decimal(total) for employee, total in rows if total is not None}


class MonthDriver:
    """Moves one cycle's reviews through the workflow as the people of the demo company would."""

    def __init__(self, home: Path, people: DemoPeople, cycle: Cycle) -> None:
        self.people = people
        self.cycle = cycle
        self.ratings = ratings_of(home, cycle.period)
        self.received = received_of(home, cycle.period)
        self._known: dict[str, list[Decimal]] = {}
        self.interview_day = Period.parse(cycle.period).end.replace(day=28)

    def user_of(self, review: Review) -> User:
        return self.people.employees[review.employee.code]

    def evaluator_of(self, review: Review) -> User:
        assert review.evaluator is not None
        code = review.evaluator.code
        return self.people.hr if code == HR_CODE else self.people.employees[code]

    def act(self, user: User, review: Review, action: str, **data: Any) -> Review:
        """`action` on `review` as `user` would take it on the page they have open; `review` is the review
        as that page shows it: what the previous step answered (the caller carries it on), or as read
        once from the cycle's list, so no step reads it again first. Returns the review as saved."""
        return workflow.perform(user, review, action, expected_version=review.version, **data)

    def rated_keys(self, review: Review) -> list[str]:
        return [item.key for item in review.template_version.compiled().items if item.is_rated]

    def self_review(self, review: Review, n: int) -> Review:
        own = self.ratings.get((review.employee.code, "self"), {})
        ratings = {key: own[key] for key in self.rated_keys(review) if key in own}
        review = self.act(
            self.user_of(review),
            review,
            "save_self",
            ratings=ratings,
            self_assessment="本月按计划完成主要工作，详见各项数据。",
        )
        return self.act(self.user_of(review), review, "submit_self")

    def supervisor_step(self, review: Review, n: int, *, submit: bool = True) -> Review:
        given = self.ratings.get((review.employee.code, "supervisor"), {})
        keys = self.rated_keys(review)
        ratings = {key: given.get(key, "80") for key in keys}
        evaluator = self.evaluator_of(review)
        review = self.act(evaluator, review, "rate", ratings=ratings, comment="整体表现稳定，继续保持。")
        review = self.act(
            evaluator,
            review,
            "record_interview",
            held_on=self.interview_day,
            strengths=STRENGTHS[n % 4],
            improvements=IMPROVEMENTS[n % 4],
            plan=PLANS[n % 4],
            employee_response="认可，会按计划改进。",
        )
        return self.act(evaluator, review, "submit_supervisor") if submit else review

    def hr_step(self, review: Review) -> Review:
        """HR supplies what the exports lack (overrides with a reason), then passes the review to the GM;
        a value needed only once others are known (pay after the score) shows on the next try."""
        for attempt in range(3):
            for name in missing_variables(review):
                value, reason = self.supplied_value(review, name)
                review = self.act(self.people.hr, review, "override", name=name, value=value, reason=reason)
            try:
                return self.act(self.people.hr, review, "submit_hr")
            except workflow.WorkflowError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # the third refusal is raised above

    def supplied_value(self, review: Review, name: str) -> tuple[Decimal, str]:
        """What HR enters for a value the exports lack or that is 0 where the card divides by it: a JD
        agent's 询单人数 is its 接待量 (JD reports no inquiries); otherwise the median of the others in the
        cycle who have it, or 1."""
        if name == "cs_inquiries":
            received = self.received.get(review.employee.code)
            if received:
                return received, f"京东客服报表无询单人数，按接待量 {received} 补录"
        known = self.known(name)
        if known:
            median = known[len(known) // 2]
            return median, f"演示数据：本月无此项数据，人事按同期中位数 {median} 补录"
        return Decimal(1), "演示数据：本月无此项数据，人事补录为 1"

    def known(self, name: str) -> list[Decimal]:
        """The cycle's values of `name` that are there (read once per cycle and name: the month's values
        are computed once; the one HR supplies is missing from it, so never among them)."""
        if name not in self._known:
            self._known[name] = sorted(
                Decimal(values[name])
                for values in self.cycle.reviews.values_list("values", flat=True)
                if values.get(name) not in (None, "", "0")
            )
        return self._known[name]


def missing_variables(review: Review) -> list[str]:
    """The variables an incomplete review lacks (HR supplies them as overrides with a reason)."""
    template = review.template_version.compiled()
    present = {name for name, value in review.values.items() if value not in (None, "", "0")}
    present |= {o.name for o in review.overrides.all()}
    wanted: set[str] = set()
    for item in template.items:
        if item.key in review.missing and item.value is not None:
            wanted |= item.value.variables
    if "pay" in review.missing and template.pay is not None:
        wanted |= template.pay.variables - {"score", "grade"}
    wanted |= set(review.result.get("missing_values", []))
    return sorted(wanted - present)


def listed_reviews(cycle: Cycle) -> list[Review]:
    """The cycle's reviews by 工号, as a list page shows them: with what the workflow's policy and the
    driver read of each (its employee and their login, evaluator, template; the cycle is `cycle`), in
    one query."""
    return list(
        cycle.reviews.select_related("employee__user", "evaluator", "template_version").order_by(
            "employee__code"
        )
    )


class Watch:
    """What a benchmark sees of a month worked through (bench/month.py times it): `part` wraps each
    part of the month, `at` is told when the month has reached a stage. The demo watches nothing."""

    def part(self, name: str) -> AbstractContextManager[object]:
        return nullcontext()

    def at(self, stage: str, cycle: Cycle) -> None:
        """Stages: opened, at_gm (every review waits for the GM), approved, archived."""


UNWATCHED = Watch()


def run_archived_month(
    home: Path, people: DemoPeople, period: str, say: Say, watch: Watch = UNWATCHED
) -> Cycle:
    active = [e for e in eligible_employees(period) if e.code != HR_CODE]
    with watch.part("open_month"):
        cycle = open_cycle(people.hr, period, participants=active)
    watch.at("opened", cycle)
    driver = MonthDriver(home, people, cycle)
    reviews = listed_reviews(cycle)
    for n, review in enumerate(reviews):
        with watch.part("first_step"):
            review = driver.self_review(review, n)
        with watch.part("supervisor_steps"):
            review = driver.supervisor_step(review, n)
        with watch.part("hr_steps"):
            driver.hr_step(review)
    watch.at("at_gm", cycle)
    with watch.part("approve_all"):
        workflow.approve_all(people.gm, cycle, reason="同意")
    watch.at("approved", cycle)
    # each employee opens their published review: the cycle's list read once, as approved
    for review in listed_reviews(cycle):
        with watch.part("acknowledge"):
            driver.act(driver.user_of(review), review, "acknowledge")
    say(f"{period}: {len(reviews)} reviews approved and acknowledged")
    with watch.part("archive"):
        archived = archive_cycle(people.hr, cycle)
    watch.at("archived", archived)
    return archived


def run_current_month(
    home: Path, people: DemoPeople, period: str, say: Say, *, at_hr: str | None = None
) -> Cycle:
    """The month in progress: reviews at every step, one acknowledged and one appealed; the review of
    `at_hr` (whose inputs are not in yet, see `held_back`) waits at HR."""
    active = [e for e in eligible_employees(period) if e.code != HR_CODE]
    noted = record_demo_incidents(home, period)
    say(f"{period}: {noted} incidents recorded by the supervisors during the month")
    cycle = open_cycle(people.hr, period, participants=active)
    driver = MonthDriver(home, people, cycle)
    reviews = listed_reviews(cycle)
    # a spread over the steps: about a sixth each still with the employee, the evaluator, HR, the GM,
    # and the rest published (one of them acknowledged, one appealed)
    steps = ["pending_self", "pending_supervisor", "pending_hr", "pending_gm", "published", "published"]
    published: list[Review] = []
    for n, review in enumerate(reviews):
        target = "pending_hr" if review.employee.code == at_hr else steps[n % len(steps)]
        if target == "pending_self":
            continue
        review = driver.self_review(review, n)
        if target == "pending_supervisor":
            continue
        review = driver.supervisor_step(review, n)
        if target == "pending_hr":
            continue
        review = driver.hr_step(review)
        if target == "published":
            published.append(review)
    published = [driver.act(people.gm, review, "approve", reason="同意") for review in published]
    if published:
        driver.act(driver.user_of(published[0]), published[0], "acknowledge")
    if len(published) > 1:
        appealed = published[1]
        keys = [item.key for item in appealed.template_version.compiled().items]
        driver.act(
            driver.user_of(appealed),
            appealed,
            "appeal",
            items=[{"item_key": keys[0], "reason": "本月有两天店铺数据缺失，申请复核该项数据。"}],
        )
    counts = {status: cycle.reviews.filter(status=status).count() for status in S.values}
    say(f"{period}: in progress — " + ", ".join(f"{k} {v}" for k, v in counts.items() if v))
    return cycle
