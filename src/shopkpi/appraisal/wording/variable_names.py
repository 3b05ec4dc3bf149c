"""What the pages call a template's variables and the unit each is printed in: 基本工资 for
base_salary, a shipped metric's catalogue label (浏览量 for pv) and unit (yuan, ratio, seconds,
people, times, orders). Without Django models, so `shopkpi score` words explanations too."""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

VARIABLES: dict[str, Promise] = {"base_salary": _("基本工资")}
VARIABLES_AS_WRITTEN = {"base_salary": "基本工资"}  # where Django is not set up (the CLI)
UNITS: dict[str, str] = {"base_salary": "yuan"}
# shopkpi.data.metrics.catalogue.SHIPPED_JSON, named here so that labelling does not import the metric
# compiler (sqlglot, pydantic) into every page
SHIPPED_JSON = "metrics/catalogue.json"


def _english() -> bool:
    return settings.configured and (get_language() or "").startswith("en")


def variable(name: object) -> str:
    """A template variable as the pages name it: 基本工资 for base_salary, a metric's catalogue label
    (浏览量 for pv), else the name itself (targets and inputs are named in Chinese)."""
    text = str(name)
    if text in VARIABLES:
        return str(VARIABLES[text]) if settings.configured else VARIABLES_AS_WRITTEN[text]
    return metric_label(text) or text


# a lower-case word that may be a variable's code, alone or in brackets (half or full width)
_CODE = re.compile(r"\s?[（(]\s*([a-z][a-z0-9_]*)\s*[）)]|(?<![A-Za-z0-9_])([a-z][a-z0-9_]*)(?![A-Za-z0-9_])")


def without_codes(text: str) -> str:
    """Prose written around variable codes (a template item's description: 退款率（refund_rate）…, 取 …
    avg_stay_seconds) as people read it: a known code in brackets is left out, one in the sentence is
    named (平均停留时长). Other words stay as written."""

    def named(found: re.Match[str]) -> str:
        bracketed, bare = found.group(1), found.group(2)
        code = bracketed or bare
        if code not in VARIABLES and code not in _metrics():
            return found.group(0)
        return "" if bracketed else VARIABLES_AS_WRITTEN.get(code) or _metrics()[code][0]

    return _CODE.sub(named, text)


def metric_label(key: str) -> str:
    """The shipped metric's label in the active language ('' for a name that is not a metric)."""
    found = _metrics().get(key)
    if found is None:
        return ""
    chinese, english, _unit = found
    return english if _english() else chinese


def metric_unit(key: str) -> str | None:
    """How the variable is printed (the catalogue's `unit`); None for a name that is not a metric."""
    if key in UNITS:
        return UNITS[key]
    found = _metrics().get(key)
    return None if found is None else found[2]


@functools.cache
def _metrics() -> dict[str, tuple[str, str, str]]:
    """metric key -> (Chinese label, English label, unit), from the shipped catalogue's committed JSON."""
    text = resources.files("shopkpi.data").joinpath(SHIPPED_JSON).read_text("utf-8")
    metrics = json.loads(text)["metrics"]
    return {
        key: (str(m["label_zh"]), str(m["label"]), str(m.get("unit", "number"))) for key, m in metrics.items()
    }
