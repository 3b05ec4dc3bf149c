"""The template's `spot_check` key (质检抽查): what loads, and every mistake named with its place."""

from __future__ import annotations

import textwrap

import pytest

from shopkpi.scorecard import TemplateError, load_template_text

CARD = textwrap.dedent(
    """\
    id: cs-spot
    name: 客服专员
    self_weight: 25%
    items:
      - key: spot_check
        name: 客户考察打分
        weight: 80
        rated_by: supervisor
      - key: bad_reviews
        name: 差评
        weight: 20
        value: 差评次数
        deduct: 2
    spot_check:
    {spot}
    """
)


def card(spot: str, **replace: str) -> str:
    text = CARD.format(spot=textwrap.indent(textwrap.dedent(spot).strip(), "  "))
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def problems(text: str) -> list[str]:
    with pytest.raises(TemplateError) as caught:
        load_template_text(text, "cs-spot.yaml")
    return [f"{p.path}: {p.message}" for p in caught.value.problems]


def test_a_spot_check_loads_with_its_defaults() -> None:
    template = load_template_text(card("feeds: spot_check\nchecklist: [服务态度, 专业性, 响应, 规范用语]"))
    spot = template.spot_check
    assert spot is not None
    assert spot.feeds == "spot_check"
    assert spot.checklist == ("服务态度", "专业性", "响应", "规范用语")
    assert (spot.per_week, spot.cases) == (5, "customers")


def test_the_number_per_week_and_what_is_drawn_are_read() -> None:
    template = load_template_text(card("feeds: spot_check\nchecklist: [态度]\nper_week: 8\ncases: orders"))
    assert template.spot_check is not None
    assert (template.spot_check.per_week, template.spot_check.cases) == (8, "orders")


def test_a_template_without_the_key_has_no_spot_check() -> None:
    text = CARD.split("spot_check:\n{spot}")[0]
    assert load_template_text(text).spot_check is None


def test_the_fed_item_must_exist_and_be_rated_by_the_supervisor() -> None:
    unknown = problems(card("feeds: attitude\nchecklist: [态度]"))
    assert unknown == [
        "spot_check.feeds: names no item of this template ('attitude'); give the key of a rated_by: "
        "supervisor item (spot_check)"
    ]
    computed = problems(card("feeds: bad_reviews\nchecklist: [态度]"))
    assert computed == [
        "spot_check.feeds: item 'bad_reviews' is not rated by the supervisor; spot checks rate a "
        "rated_by: supervisor item"
    ]


def test_the_checklist_needs_distinct_named_points() -> None:
    found = problems(card("feeds: spot_check\nchecklist: [态度, ' ', 态度]"))
    assert found == [
        "spot_check.checklist[1]: a checklist point needs a name",
        "spot_check.checklist[2]: the point '态度' is listed twice",
    ]
    assert any(
        p.startswith("spot_check.checklist") for p in problems(card("feeds: spot_check\nchecklist: []"))
    )


def test_shape_mistakes_are_named() -> None:
    found = problems(card("feeds: spot_check\nchecklist: [态度]\nper_week: 0\ncases: chats\nscale: 10"))
    assert any(p.startswith("spot_check.per_week:") for p in found)
    assert any(p.startswith("spot_check.cases:") for p in found)
    assert "spot_check.scale: unknown key 'scale'" in found


def test_only_a_month_template_spot_checks() -> None:
    found = problems(
        card("feeds: spot_check\nchecklist: [态度]", **{"name: 客服专员": "name: 客服专员\nperiod: quarter"})
    )
    assert "spot_check: spot checks are drawn by week and feed a month template's item" in found
