"""The second reading of the built-in templates against their seeds: each template says, in its
description (what a person reading the template sees), where it comes from and how its disputable
parts were read; the pay each one computes is of the kind its seed describes."""

from __future__ import annotations

import pytest

from shopkpi.scorecard import builtin_template_paths, load_template_file

TEMPLATES = {path.stem: load_template_file(path) for path in builtin_template_paths()}


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_builtin_template_names_its_seed_in_its_description(template_id: str) -> None:
    description = TEMPLATES[template_id].description or ""
    assert "种子" in description, f"{template_id} does not say which seed document it reads"


def test_the_disputable_readings_are_argued_where_people_read_them() -> None:
    for template_id in ("s001-copywriter", "s001-customer-service", "s001-designer", "s001-operations"):
        description = TEMPLATES[template_id].description or ""
        # the reward formula with unbalanced brackets, the 80 and 90 edges, the year-end award
        assert "括号不配对" in description and "80和90两端" in description and "at: year_end" in description
    for template_id in ("s002-customer-service", "s002-operations-manager"):
        assert "pay.kind: wage" in (TEMPLATES[template_id].description or "")
    manager = TEMPLATES["s004-ecommerce-operations-manager"].description or ""
    assert "无分数门槛" in manager and "不封顶" in manager
    for template_id in [t for t in TEMPLATES if t.startswith("s000-")]:
        assert "本岗位不计绩效工资" in (TEMPLATES[template_id].description or "")


def test_the_kind_of_pay_follows_the_seed() -> None:
    # seed 001 states 本月工资 and its 绩效工资 = 工资 × 10%: performance pay with that base; seed 002 states a
    # 工资制度 (底薪 × 系数 + …): a whole wage; seed 004's manager card a 绩效奖金 of 900; seed 000 no formula
    kinds = {t: (tpl.pay is not None, tpl.pay_kind, tpl.pay_base is not None) for t, tpl in TEMPLATES.items()}
    for template_id, kind in kinds.items():
        if template_id.startswith("s001-"):
            assert kind == (True, "performance", True), template_id
        elif template_id.startswith("s002-"):
            assert kind == (True, "wage", False), template_id
        elif template_id == "s004-ecommerce-operations-manager":
            assert kind == (True, "performance", True)
        else:
            assert kind[0] is False, template_id
