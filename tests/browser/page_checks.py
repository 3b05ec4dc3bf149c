"""What every page must be, read in the browser (issue 12): no wider than the screen, the person's own step
in the first screen, no variable code (snake_case) or raw decimal of more than 4 places in its text, and
in the page's language outside names and data.

Names and data are what the demo company holds: every text of its database (people, departments,
positions, comments, reasons, file names …) and of its templates and the shipped ones (items, levels,
grades, descriptions), and the Chinese column names of the workbooks (a contract the pages quote).
They are taken out of the page's text before the language is checked, as are elements marked
translate="no". Shop abbreviations a Chinese team writes in Latin letters are Chinese text too.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

VIEWPORTS = {"phone": (390, 844), "desktop": (1366, 900)}
# abbreviations and product names Chinese shop staff write in Latin letters
LATIN_WORDS = frozenset(
    "shopkpi API Excel XLSX XLS CSV YAML GBK UTF YYYY YYYY-MM YYYY-MM-DD YYYY-Qn GMV UV PV ROI ROAS SNS KPI CTR CVR SKU HR GM QQ WiFi ID PDF PNG JPEG WebP MB".lower().split()
)
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
RAW_DECIMAL = re.compile(r"\d\.\d{5,}")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
CHINESE = re.compile(r"[\u3400-\u9fff]+")
API_CALL = re.compile(r"\b(?:GET|POST|PUT|PATCH|DELETE) /\S+")  # an endpoint named in a help text is code

# the page's text as a person reads it: what is shown (not scripts, closed disclosures or hidden parts),
# each piece of text apart from the next; `prose` leaves out names marked translate="no" and code
PAGE_TEXT = """() => {
  const skipped = 'script, style, noscript, template, option, textarea, .visually-hidden';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const all = [], prose = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skipped)) continue;
    if (!parent.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) continue;
    const closed = parent.closest('details:not([open])');  // shows its summary only
    if (closed && !(parent.closest('summary') && parent.closest('summary').parentElement === closed)) continue;
    all.push(node.textContent);
    if (!parent.closest('[translate="no"], code, kbd, samp')) prose.push(node.textContent);
  }
  return {all: all.join(' '), prose: prose.join(' ')};
}"""
# how far the page reaches to the right, and the elements that stick out (to name in a failure)
WIDTH = """() => {
  const width = document.documentElement.clientWidth;
  const out = Array.from(document.querySelectorAll('body *')).filter(el => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1 && !el.closest('.table-scroll, table, pre');
  }).slice(0, 4).map(el => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().right)} px)`);
  return {scroll: document.documentElement.scrollWidth, width, out};
}"""
STEP_TOP = """() => {
  const step = document.querySelector('[data-step-action]');
  if (!step) return null;
  const heading = step.querySelector('h1, h2, h3') || step;
  return heading.getBoundingClientRect().bottom;
}"""


def workbook_columns() -> set[str]:
    """The Chinese column names of the files shopkpi reads and writes (a contract: the pages quote them)."""
    from shopkpi.appraisal.accounts import login_workbook
    from shopkpi.appraisal.periods import month_prepare
    from shopkpi.data.datasets import DATASETS

    found = {column.label_zh for dataset in DATASETS.values() for column in dataset.columns}
    found.update(login_workbook.COLUMNS)
    found.update(name for columns in month_prepare.COLUMNS.values() for name in columns)
    return found


@cache
def demo_data(home: Path) -> tuple[str, ...]:
    """Every text the demo company holds (its database's text columns and its templates' strings) and the
    files' column names, longest first so a long name is taken out before a shorter one inside it."""
    found: set[str] = workbook_columns()
    for shipped in resources.files("shopkpi.scorecard").joinpath("templates").iterdir():
        if shipped.name.endswith(".yaml"):
            _strings(yaml.safe_load(shipped.read_text("utf-8")), found)
    with sqlite3.connect(home / "shopkpi.sqlite3") as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in db.execute(f'SELECT * FROM "{table}"'):  # the database's own table names
                for value in row:
                    if isinstance(value, str):
                        _collect(value, found)
    return tuple(sorted((t for t in found if t.strip()), key=len, reverse=True))


def _collect(value: str, found: set[str]) -> None:
    text = value.strip()
    if text[:1] in "{[":
        try:
            _strings(json.loads(text), found)
            return
        except ValueError:
            pass
    if "\n" in text and ":" in text:  # a template's YAML
        with contextlib.suppress(yaml.YAMLError):
            _strings(yaml.safe_load(text), found)
    found.add(text)
    found.update(line.strip() for line in text.splitlines())


def _strings(node: Any, found: set[str]) -> None:
    if isinstance(node, str):
        found.add(node.strip())
    elif isinstance(node, dict):
        for key, value in node.items():
            _strings(key, found)
            _strings(value, found)
    elif isinstance(node, list):
        for value in node:
            _strings(value, found)


def without_data(text: str, data: tuple[str, ...]) -> str:
    for item in data:
        if item in text:
            if item.isascii():  # a Latin name only as a whole word
                text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(item)}(?![A-Za-z0-9_])", " ", text)
            else:
                text = text.replace(item, " ")
    return text


def problems(page: Any, language: str, data: tuple[str, ...], *, step: bool) -> list[str]:
    """Everything wrong with the page as it is shown now."""
    found: list[str] = []
    width = page.evaluate(WIDTH)
    if width["scroll"] > width["width"]:
        found.append(f"{width['scroll']} px wide in a {width['width']} px screen: {width['out']}")
    if step:
        bottom = page.evaluate(STEP_TOP)
        height = page.viewport_size["height"]
        if bottom is None:
            found.append("no step of the person's on the page ([data-step-action])")
        elif bottom > height:
            found.append(f"the person's step starts at {bottom:.0f} px, below the first screen ({height} px)")
    text = page.evaluate(PAGE_TEXT)
    found += [f"variable code {m!r}" for m in sorted(set(SNAKE_CASE.findall(text["all"])))]
    found += [f"raw decimal {m.group(0)!r}…" for m in RAW_DECIMAL.finditer(text["all"])][:3]
    rest = without_data(API_CALL.sub(" ", text["prose"]), data)
    if language == "en":
        chinese = sorted(set(CHINESE.findall(rest)))
        if chinese:
            found.append(f"Chinese on the English page: {chinese[:12]}")
    else:
        latin = sorted({w for w in LATIN_WORD.findall(rest) if w.lower() not in LATIN_WORDS})
        if latin:
            found.append(f"English on the Chinese page: {latin[:12]}")
    return found
