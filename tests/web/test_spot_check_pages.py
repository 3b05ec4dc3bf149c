"""The supervisor's weekly spot-check page (质检抽查) end to end: orders imported into the warehouse, the
week's draw from the agent's received customers (repeatable with its seed, shown on the page), the
checklist scored on the page, the average on the review page with every case listed; who may open it
(the spec's words, by hand: the evaluator, HR and the GM; not the employee, not a colleague)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import api_org
import pytest
from django.test import Client

from shopkpi.appraisal.models import Account, CycleTemplate, Review, SpotCheckDraw, TemplateVersion
from shopkpi.appraisal.spot_checks.draw import draw
from shopkpi.data.imports.importer import import_files
from shopkpi.scorecard.loader import builtin_template_dir

pytestmark = pytest.mark.django_db
S002 = "s002-customer-service"
BUYERS = [f"tb_buyer{n:02d}" for n in range(1, 9)]


@pytest.fixture
def org(settings: Any, tmp_path: Path) -> api_org.Org:
    settings.HOME = tmp_path / "home"
    org = api_org.build(hash_passwords=False)
    Account.objects.create(employee=org.employees["cs"], kind="agent", account="旗舰店:小冰")
    # week 2 of March 2026 is Monday 2 to Sunday 8; eight buyers, one of them twice; one order of
    # another agent and one of week 3 that are not this week's cases
    lines = ["order_id,shop,buyer,created_at,status,amount,cs_agent"]
    lines += [
        f"A{n},旗舰店,{b},2026-03-0{2 + n % 6} 10:00:00,paid,99.00,旗舰店:小冰" for n, b in enumerate(BUYERS)
    ]
    lines += ["A90,旗舰店,tb_buyer01,2026-03-05 15:00:00,paid,20.00,旗舰店:小冰"]
    lines += ["A91,旗舰店,tb_other,2026-03-05 15:00:00,paid,20.00,旗舰店:小焦"]
    lines += ["A92,旗舰店,tb_later,2026-03-10 15:00:00,paid,20.00,旗舰店:小冰"]
    path = tmp_path / "订单明细.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_files(settings.HOME, "orders", [path])
    text = (builtin_template_dir() / f"{S002}.yaml").read_text(encoding="utf-8")
    version = TemplateVersion.objects.create(template_id=S002, version=1, name="客服专员", text=text)
    CycleTemplate.objects.filter(position=org.employees["cs"].position).update(template_version=version)
    Review.objects.filter(pk=org.reviews["cs"].pk).update(
        template_version=version, values={"cs_paid_amount": "10000", "中评修改": "0", "差评修改": "0"}
    )
    return org


def client_for(org: api_org.Org, key: str) -> Client:
    client = Client()
    client.force_login(org.users[key])
    return client


def week_url(org: api_org.Org, week: int = 2) -> str:
    return f"/reviews/{org.reviews['cs'].pk}/spot-checks/{week}/"


def test_the_evaluator_draws_the_weeks_customers_with_a_seed_and_scores_them(org: api_org.Org) -> None:
    gm = client_for(org, "gm")
    page = gm.get(week_url(org)).content.decode()
    assert "本周尚未抽样" in page and "2026-03-02 至 2026-03-08" in page
    answer = gm.post(week_url(org) + "draw/", {"size": "3", "seed": "2026"})
    assert answer.status_code == 302
    made = SpotCheckDraw.objects.get(review=org.reviews["cs"], week=2)
    # the eight buyers of the agent's week-2 orders; the same seed over them, by the draw's rule
    assert made.population == 8 and [c.key for c in made.cases.all()] == draw(2026, BUYERS, 3)
    page = gm.get(week_url(org)).content.decode()
    assert "随机种子 <strong>2026</strong>：从本周 8 个样本中抽取 3 个" in page
    if "tb_buyer01" in made.cases.values_list("key", flat=True):  # a buyer's case holds both orders
        assert {"A0", "A90"} <= {o["order_id"] for o in made.cases.get(key="tb_buyer01").orders}
    first, second, _third = made.cases.all()
    for case, points in ((first, ("90", "80", "100", "70")), (second, ("100", "100", "90", "90"))):
        answer = gm.post(
            week_url(org) + "score/",
            {"case": case.pk, **{f"point-{i}": p for i, p in enumerate(points)}, "note": "语气友好"},
        )
        assert answer.status_code == 302
    review = Review.objects.get(pk=org.reviews["cs"].pk)
    # (85 + 95) / 2 = 90 is the supervisor's rating of the one item (weight 100); no self rating yet
    assert review.result["items"][0]["rating"] == "90"
    shown = gm.get(f"/reviews/{review.pk}/").content.decode()
    assert (
        "本月 2 个抽查样本，平均分 90.00，即上级评分。" in shown
        and first.key in shown
        and "语气友好" in shown
    )


def test_a_refused_score_is_shown_again_at_its_case_with_what_was_typed(org: api_org.Org) -> None:
    gm = client_for(org, "gm")
    gm.post(week_url(org) + "draw/", {"size": "2", "seed": "7"})
    case = SpotCheckDraw.objects.get(week=2).cases.first()
    assert case is not None
    answer = gm.post(week_url(org) + "score/", {"case": case.pk, "point-0": "90", "point-1": "120"})
    assert answer.status_code == 409
    html = answer.content.decode()
    assert "“专业性”的分数 120 不是 0～100 之间、最多两位小数的数。" in html and 'value="90"' in html
    bad = gm.post(week_url(org) + "draw/", {"size": "0"})
    assert bad.status_code == 409 and "抽取数量须是 1 到 50 之间的整数" in bad.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("gm", 200),
        ("hr", 200),
        ("hr2", 200),
        ("gm2", 200),
        ("cs", 404),
        ("mgr", 404),
        ("emp", 404),
        ("hra", 404),
    ],
)
def test_only_the_evaluator_hr_and_the_gm_open_the_page(org: api_org.Org, who: str, status: int) -> None:
    assert client_for(org, who).get(week_url(org)).status_code == status


def test_only_the_evaluator_draws(org: api_org.Org) -> None:
    assert client_for(org, "hr").post(week_url(org) + "draw/", {"size": "2"}).status_code == 403
    assert client_for(org, "cs").post(week_url(org) + "draw/", {"size": "2"}).status_code == 404
    assert not SpotCheckDraw.objects.exists()


def test_no_spot_check_pages_for_a_template_without_them(org: api_org.Org) -> None:
    assert client_for(org, "hr").get(f"/reviews/{org.reviews['emp'].pk}/spot-checks/1/").status_code == 404
