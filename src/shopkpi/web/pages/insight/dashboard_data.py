"""The dashboards' numbers, computed in the database over the reviews the user may see.

Scope (`scope`): HR and the GM see every review, an evaluator the reviews they evaluate (their
team's), through `policy.visible_reviews` only. Every chart is an aggregate query (COUNT / AVG / SUM
grouped in SQL); Python only shapes the few grouped rows for the page.

- score distribution: the period's reviews with a score, counted per 10-point bin;
- department comparison: the average score per department in the period;
- an employee's trend: their score per period, beside their department's average;
- team × KPI heatmap: the average supervisor rating (0–100) per team (evaluator) and rated item;
- pay cost against gross margin per month: pay cost = Σ performance pay (绩效工资) of the approved
  reviews (published, acknowledged, appealed; the pay sheet's lines) + Σ their pay adjustments, by the
  rule of `pay_totals`; whole wages by a template's design (整月工资) are a figure apart, never added
  into the performance pay; gross margin = Σ of the
  `销售毛利` value stored on the month's reviews (the entered input of the s001 templates' pay cap;
  HR's overrides are not applied; reviews without it add nothing);
- rating distribution per supervisor, over every period: how many of their ratings fall in each
  bin, their average, and its distance from the average of all supervisors (the lenient and the harsh).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Avg, Count, DecimalField, Max, Min, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from shopkpi.appraisal import policy
from shopkpi.appraisal.accounts.roles import employee_of, is_gm, is_hr
from shopkpi.appraisal.models import Rating, Review, TemplateVersion
from shopkpi.appraisal.pay import pay_totals
from shopkpi.appraisal.pay.paysheet import APPROVED

MARGIN = "销售毛利"
# score bins (final scores can pass 100 with bonus items) and rating bins (0..100)
SCORE_BINS: tuple[tuple[Decimal | None, Decimal | None], ...] = (
    (None, Decimal(60)),
    (Decimal(60), Decimal(70)),
    (Decimal(70), Decimal(80)),
    (Decimal(80), Decimal(90)),
    (Decimal(90), Decimal(100)),
    (Decimal(100), None),
)
RATING_BINS: tuple[tuple[Decimal | None, Decimal | None], ...] = (
    (None, Decimal(60)),
    (Decimal(60), Decimal(70)),
    (Decimal(70), Decimal(80)),
    (Decimal(80), Decimal(90)),
    (Decimal(90), None),
)
ONE_PLACE = Decimal("0.1")
LENIENCY_GAP = Decimal(5)  # points from the average of all supervisors that mark one lenient or harsh
CENT = Decimal("0.01")


def scope(user: Any) -> QuerySet[Review]:
    """HR and GM: every review; an evaluator: the reviews they evaluate; anyone else: none."""
    reviews = policy.visible_reviews(user)
    if is_hr(user) or is_gm(user):
        return reviews
    me = employee_of(user)
    return reviews.none() if me is None else reviews.filter(evaluator=me)


def bin_label(low: Decimal | None, high: Decimal | None) -> str:
    if low is None:
        return f"<{high}"
    if high is None:
        return f"≥{low}"
    return f"{low}–{high}"


def _bin_filter(field_name: str, low: Decimal | None, high: Decimal | None) -> Q:
    condition = Q()
    if low is not None:
        condition &= Q(**{f"{field_name}__gte": low})
    if high is not None:
        condition &= Q(**{f"{field_name}__lt": high})
    return condition


def _round(value: Any, step: Decimal = ONE_PLACE) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP)


# ---- score distribution ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    label: str
    count: int


@dataclass(frozen=True)
class Distribution:
    bins: list[Bin]
    count: int
    average: Decimal | None


def score_distribution(reviews: QuerySet[Review], period: str) -> Distribution:
    scored = reviews.filter(cycle__period=period, score__isnull=False)
    counts = {
        f"b{i}": Count("pk", filter=_bin_filter("score", lo, hi)) for i, (lo, hi) in enumerate(SCORE_BINS)
    }
    row = scored.aggregate(n=Count("pk"), average=Avg("score"), **counts)
    return Distribution(
        bins=[Bin(bin_label(lo, hi), row[f"b{i}"]) for i, (lo, hi) in enumerate(SCORE_BINS)],
        count=row["n"],
        average=_round(row["average"]),
    )


# ---- department comparison ------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    count: int
    average: Decimal | None
    lowest: Decimal | None
    highest: Decimal | None


def department_comparison(reviews: QuerySet[Review], period: str) -> list[DepartmentRow]:
    rows = (
        reviews.filter(cycle__period=period, score__isnull=False)
        .order_by()
        .values("employee__department__name")
        .annotate(n=Count("pk"), average=Avg("score"), lowest=Min("score"), highest=Max("score"))
        .order_by("employee__department__name")
    )
    return [
        DepartmentRow(
            department=row["employee__department__name"],
            count=row["n"],
            average=_round(row["average"]),
            lowest=_round(row["lowest"]),
            highest=_round(row["highest"]),
        )
        for row in rows
    ]


# ---- an employee's trend --------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    code: str
    name: str


@dataclass(frozen=True)
class TrendRow:
    period: str
    score: Decimal | None
    grade: str
    department_average: Decimal | None


@dataclass(frozen=True)
class Trend:
    person: Person | None
    department: str
    rows: list[TrendRow]


def find_person(reviews: QuerySet[Review], asked: str) -> Person | None:
    """The person in scope whose trend is shown: the 工号 asked, else the first whose 工号 or name holds
    the text asked, else the first by 工号 (one query, however many people are in scope)."""
    ordered = reviews.order_by("employee__code").values_list("employee__code", "employee__name")
    asked = asked.strip()
    found = None
    if asked:
        found = (
            ordered.filter(employee__code=asked).first()
            or ordered.filter(Q(employee__code__icontains=asked) | Q(employee__name__icontains=asked)).first()
        )
    found = found or ordered.first()
    return None if found is None else Person(*found)


def employee_trend(reviews: QuerySet[Review], person: Person | None) -> Trend:
    if person is None:
        return Trend(None, "", [])
    own = list(
        reviews.filter(employee__code=person.code)
        .order_by("cycle__period")
        .values_list(
            "cycle__period", "score", "grade", "employee__department_id", "employee__department__name"
        )
    )
    if not own:
        return Trend(person, "", [])
    department_id, department = own[0][3], own[0][4]
    averages = dict(
        reviews.filter(employee__department_id=department_id, score__isnull=False)
        .order_by()
        .values("cycle__period")
        .annotate(average=Avg("score"))
        .values_list("cycle__period", "average")
    )
    return Trend(
        person,
        department,
        [
            TrendRow(period, _round(score), grade, _round(averages.get(period)))
            for period, score, grade, *_ in own
        ],
    )


# ---- team × KPI heatmap ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Heatmap:
    teams: list[str]  # rows: "马经理 (E011)"
    kpis: list[str]  # columns: item names
    cells: dict[tuple[int, int], tuple[Decimal, int]]  # (team, kpi) -> (average rating, ratings)

    def value(self, team: int, kpi: int) -> tuple[Decimal, int] | None:
        return self.cells.get((team, kpi))


@lru_cache(maxsize=512)
def _item_names(version_id: int, sha256: str) -> dict[str, str]:
    """Item key -> name of one template version (immutable, so cached by id and hash)."""
    version = TemplateVersion.objects.get(pk=version_id)
    return {item.key: item.name for item in version.compiled().items}


def item_names(reviews: QuerySet[Review]) -> dict[str, str]:
    names: dict[str, str] = {}
    versions = (
        TemplateVersion.objects.filter(pk__in=reviews.order_by().values("template_version_id"))
        .order_by("template_id", "version")
        .values_list("pk", "sha256")
    )
    for version_id, sha256 in versions:
        for key, name in _item_names(version_id, sha256).items():
            names.setdefault(key, name)
    return names


def team_kpi_heatmap(reviews: QuerySet[Review], period: str) -> Heatmap:
    in_period = reviews.filter(cycle__period=period)
    rows = list(
        Rating.objects.filter(review__in=in_period.order_by().values("pk"), rater=Rating.Rater.SUPERVISOR)
        .values("review__evaluator__code", "review__evaluator__name", "item_key")
        .annotate(average=Avg("value"), n=Count("pk"))
        .order_by("review__evaluator__code", "item_key")
    )
    names = item_names(in_period) if rows else {}
    teams: dict[str | None, int] = {}
    kpis: dict[str, int] = {}
    cells: dict[tuple[int, int], tuple[Decimal, int]] = {}
    team_labels: list[str] = []
    for row in rows:
        code = row["review__evaluator__code"]
        if code not in teams:
            teams[code] = len(team_labels)
            team_labels.append(
                _("%(name)s 的团队") % {"name": row["review__evaluator__name"]} if code else _("无考评负责人")
            )
        kpis.setdefault(row["item_key"], len(kpis))
    kpi_labels = [names.get(key, key) for key in kpis]
    for row in rows:
        average = _round(row["average"])
        assert average is not None
        cells[(teams[row["review__evaluator__code"]], kpis[row["item_key"]])] = (average, row["n"])
    return Heatmap(team_labels, kpi_labels, cells)


# ---- pay cost against gross margin ----------------------------------------------------------------


@dataclass(frozen=True)
class MonthCost:
    period: str
    approved: int  # approved reviews (pay lines)
    pay: Decimal | None  # Σ 绩效工资 + Σ 奖惩 of the approved reviews; None before any approval
    wage: Decimal | None  # Σ 整月工资 of the approved reviews (apart from `pay`); None before any approval
    margin: Decimal | None  # Σ 销售毛利 stored on the month's reviews
    margin_reviews: int  # reviews that carry a 销售毛利 value

    @property
    def share(self) -> Decimal | None:
        """Pay cost (绩效工资 + 奖惩) as a share of gross margin."""
        if not self.margin or self.pay is None:
            return None
        return (self.pay / self.margin).quantize(Decimal("0.0001"))


def pay_and_margin(reviews: QuerySet[Review]) -> list[MonthCost]:
    pay = pay_totals.by(reviews.filter(status__in=APPROVED), "cycle__period")
    margin_value = Cast(KeyTextTransform(MARGIN, "values"), DecimalField(max_digits=24, decimal_places=6))
    margins = {
        row["cycle__period"]: (row["margin"], row["n"])
        for row in reviews.order_by()
        .annotate(margin_value=margin_value)
        .values("cycle__period")
        .annotate(margin=Sum("margin_value"), n=Count("margin_value"))
    }
    months = []
    for period in sorted(set(pay) | set(margins)):
        paid = pay.get(period)
        margin, carried = margins.get(period, (None, 0))
        months.append(
            MonthCost(
                period=period,
                approved=0 if paid is None else paid.count,
                pay=None if paid is None else paid.performance_and_adjustments,
                wage=None if paid is None else paid.wage,
                margin=None if margin is None or not carried else Decimal(str(margin)).quantize(CENT),
                margin_reviews=carried,
            )
        )
    return months


# ---- rating distribution per supervisor -----------------------------------------------------------


@dataclass(frozen=True)
class RaterRow:
    label: str
    counts: list[int]
    count: int
    average: Decimal
    difference: Decimal  # average − the average of all supervisors' ratings

    def shares(self) -> list[Decimal]:
        """Each bin's share of the supervisor's ratings, in percent."""
        return [_share(n, self.count) for n in self.counts]

    @property
    def leaning(self) -> str:
        """偏松 (lenient) or 偏严 (harsh) when the average is LENIENCY_GAP or more from everyone's."""
        if self.difference >= LENIENCY_GAP:
            return _("偏松")
        if self.difference <= -LENIENCY_GAP:
            return _("偏严")
        return ""


@dataclass(frozen=True)
class RaterDistribution:
    bins: list[str]
    rows: list[RaterRow]
    overall: Decimal | None
    count: int = 0


def _share(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def rater_distribution(reviews: QuerySet[Review]) -> RaterDistribution:
    ratings = Rating.objects.filter(review__in=reviews.order_by().values("pk"), rater=Rating.Rater.SUPERVISOR)
    overall = ratings.aggregate(average=Avg("value"), n=Count("pk"))
    bins = {
        f"b{i}": Count("pk", filter=_bin_filter("value", lo, hi)) for i, (lo, hi) in enumerate(RATING_BINS)
    }
    grouped = (
        ratings.values("review__evaluator__code", "review__evaluator__name")
        .annotate(n=Count("pk"), average=Avg("value"), **bins)
        .order_by("review__evaluator__code")
    )
    mean = _round(overall["average"])
    rows = []
    for row in grouped:
        average = _round(row["average"])
        assert average is not None and mean is not None
        code = row["review__evaluator__code"]
        rows.append(
            RaterRow(
                label=f"{row['review__evaluator__name']} ({code})" if code else _("无考评负责人"),
                counts=[row[f"b{i}"] for i in range(len(RATING_BINS))],
                count=row["n"],
                average=average,
                difference=average - mean,
            )
        )
    return RaterDistribution(
        bins=[bin_label(lo, hi) for lo, hi in RATING_BINS], rows=rows, overall=mean, count=overall["n"]
    )
