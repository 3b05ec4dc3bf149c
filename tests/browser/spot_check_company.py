"""Spot checks and peer rating put into a copy of the demo company, for the browser visits of their pages.

The demo imports no order details and binds no template with `spot_check` or a `rated_by: peers` item,
so this script, run in its own process over a copy (`python -c`, SHOPKPI_HOME set), adds what a
company would: a 客服专员 on seed 002's card (s002-customer-service) whose 千牛 account received a
week of orders (imported like any file), that week drawn with seed 2026 and two cases scored by the
evaluator; and a colleague's review on a card with a peers item (团结协作), a rater named. It prints
what the visits need as JSON: the two reviews, the evaluator, the rater and the rater's task.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PEERS = """\
id: demo-peers
name: 运营专员（互评）
items:
  - key: attitude
    name: 工作态度
    weight: 60
    rated_by: supervisor
  - key: teamwork
    name: 团结协作
    description: 与同事配合、主动分享经验
    weight: 40
    rated_by: peers
    levels: {优: 100, 良: 80, 中: 60, 差: 40}
"""


def main(home: Path, period: str) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User

    from shopkpi.appraisal.models import Account, Review
    from shopkpi.appraisal.peer_ratings import service as peers
    from shopkpi.appraisal.periods import cycles
    from shopkpi.appraisal.reviews.review_scoring import recompute
    from shopkpi.appraisal.spot_checks import service as spot_checks
    from shopkpi.appraisal.spot_checks.weeks import week_of
    from shopkpi.data.imports.importer import import_files
    from shopkpi.scorecard.loader import builtin_template_dir

    hr = User.objects.get(username="hr")
    waiting = ("pending_self", "pending_supervisor")
    agents = Account.objects.filter(kind="agent").select_related("employee").order_by("employee__code")
    reviews = Review.objects.filter(cycle__period=period, status__in=waiting, evaluator__user__isnull=False)
    agent = next(a for a in agents if reviews.filter(employee=a.employee).exists())
    review = reviews.get(employee=agent.employee)
    text = (builtin_template_dir() / "s002-customer-service.yaml").read_text(encoding="utf-8")
    review.template_version = cycles.new_template_version(hr, "s002-customer-service", text)
    review.save(update_fields=["template_version"])
    recompute(review)
    week = week_of(period, 2)
    assert week is not None
    lines = ["order_id,shop,buyer,created_at,status,amount,cs_agent"]
    for n in range(1, 9):
        day = week.start.replace(day=week.start.day + n % 5)
        lines.append(f"9{n:05d},演示旗舰店,顾客小雨{n:02d},{day} 1{n}:05:00,paid,{88 + n}.00,{agent.account}")
    orders = home / "订单明细_客服抽查.csv"
    orders.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_files(home, "orders", [orders], user="hr")
    evaluator = review.evaluator.user
    drawn = spot_checks.draw_week(evaluator, review.pk, week.number, home, seed=2026, size=4)
    first, second, *_ = drawn.cases.all()
    checklist = review.template_version.compiled().spot_check.checklist  # type: ignore[union-attr]
    for case, points in ((first, (90, 85, 100, 80)), (second, (70, 90, 80, 75))):
        spot_checks.score_case(
            evaluator,
            review.pk,
            case.pk,
            dict(zip(checklist, map(str, points), strict=True)),
            "语气友好，及时跟进",
        )
    other = (
        reviews.exclude(pk=review.pk).filter(evaluator=review.evaluator).first()
        or reviews.exclude(pk=review.pk).first()
    )
    assert other is not None
    other.template_version = cycles.new_template_version(hr, "demo-peers", PEERS)
    other.save(update_fields=["template_version"])
    recompute(other)
    rater = next(r.employee for r in reviews.exclude(pk__in=[review.pk, other.pk]) if r.employee.user_id)
    peers.name_raters(hr, other.pk, "teamwork", [rater.code])
    task = peers.waiting(rater.user).get()
    print(
        json.dumps(
            {
                "spot_review": review.pk,
                "evaluator": evaluator.username,
                "peer_review": other.pk,
                "peer_evaluator": other.evaluator.user.username
                if other.evaluator and other.evaluator.user
                else "hr",
                "rater": rater.user.username,
                "task": task.pk,
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
