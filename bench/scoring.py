"""Benchmark: score 10,000 employees x 20 items, with pay and consequence rules.

Compared in the same run against a bare Python loop doing the same Decimal arithmetic by hand
(no template, no explanation, no checks): the ratio says what the engine's generality costs.
Each runs REPEATS times, taking turns; the last line of output is one JSON object with the medians
and the minima of both and their ratios (`engine_vs_bare_loop`: of the medians), and the same from
CPU seconds (`engine_vs_bare_loop_cpu`, steadier when the machine is loaded). Run:
`make bench-scoring`.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from shopkpi.scorecard import EmployeeInput, PeriodResult, load_template_text, score_all

EMPLOYEES = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
REPEATS = 5

BANDS = (
    '{">= 100%": 100, "[90%, 100%)": 90, "[80%, 90%)": 80, "[70%, 80%)": 70, "[60%, 70%)": 60, "< 60%": 0}'
)
BAND_ITEMS = 14  # x 5 points
PROPORTIONAL_ITEMS = 3  # x 5 points
DEDUCT_ITEMS = 1  # x 5 points
RATED_ITEMS = 1  # x 10 points


def template_text() -> str:
    items = []
    for i in range(BAND_ITEMS):
        items.append(
            f"  - {{key: b{i}, name: 指标{i}, weight: 5, value: 实际{i} / 计划{i}, bands: {BANDS!r}}}".replace(
                "'", ""
            )
        )
    for i in range(PROPORTIONAL_ITEMS):
        items.append(
            f"  - {{key: p{i}, name: 完成{i}, weight: 5, value: 完成{i}, proportional: {{target: 100}}}}"
        )
    items.append("  - {key: d0, name: 差评, weight: 5, value: 差评次数, deduct: 1}")
    items.append(
        "  - {key: r0, name: 态度, weight: 10, rated_by: supervisor, levels: {优: 100, 良: 80, 中: 60, 差: 40}}"
    )
    items.append("  - {key: x0, name: 加分, value: 超额, bonus: {over: 0, per: 5000, points: 3, max: 10}}")
    return "\n".join(
        [
            "id: bench",
            "name: 基准",
            "cap: 120",
            "grades:",
            '  - {name: 优秀, when: ">= 90"}',
            '  - {name: 良好, when: "[80, 90)"}',
            '  - {name: 合格, when: "[60, 80)"}',
            '  - {name: 差, when: "< 60"}',
            "items:",
            *items,
            "pay:",
            '  amount: \'500 * lookup(score, {"< 60": 0.5, "[60, 80)": 1.0, "[80, 90)": 1.2, ">= 90": 1.5}) + 2% * 销售额\'',
            "rules:",
            '  - {when: "score < 60", consecutive: 2, action: 警告}',
            '  - {when: "score >= 90", consecutive: 3, action: 年终特别奖}',
        ]
    )


def make_inputs(count: int) -> tuple[list[EmployeeInput], dict[str, list[PeriodResult]]]:
    rng = random.Random(20261022)
    employees = []
    history: dict[str, list[PeriodResult]] = {}
    for n in range(count):
        values: dict[str, object] = {}
        for i in range(BAND_ITEMS):
            values[f"计划{i}"] = Decimal(rng.randrange(10_000, 100_000))
            values[f"实际{i}"] = Decimal(rng.randrange(5_000, 120_000))
        for i in range(PROPORTIONAL_ITEMS):
            values[f"完成{i}"] = Decimal(rng.randrange(0, 12_000)) / 100
        values["差评次数"] = Decimal(rng.randrange(0, 6))
        values["超额"] = Decimal(rng.randrange(0, 40_000))
        values["销售额"] = Decimal(rng.randrange(0, 500_000))
        employee = f"E{n:05d}"
        employees.append(
            EmployeeInput(employee, "2026-10", values, {"r0": rng.choice(["优", "良", "中", "差"])})
        )
        history[employee] = [
            PeriodResult("2026-09", Decimal(rng.randrange(40, 100))),
            PeriodResult("2026-08", Decimal(rng.randrange(40, 100))),
        ]
    return employees, history


LEVELS = {"优": Decimal(100), "良": Decimal(80), "中": Decimal(60), "差": Decimal(40)}
STEPS = [
    (Decimal("1"), Decimal(100)),
    (Decimal("0.9"), Decimal(90)),
    (Decimal("0.8"), Decimal(80)),
    (Decimal("0.7"), Decimal(70)),
    (Decimal("0.6"), Decimal(60)),
]


def bare_loop(employees: list[EmployeeInput], history: dict[str, list[PeriodResult]]) -> list[Decimal]:
    """The same arithmetic written by hand, as a spreadsheet formula would be."""
    hundred, five, ten, zero, one = Decimal(100), Decimal(5), Decimal(10), Decimal(0), Decimal(1)
    pays = []
    for employee in employees:
        v = employee.values
        total = zero
        for i in range(BAND_ITEMS):
            ratio = v[f"实际{i}"] / v[f"计划{i}"]  # type: ignore[operator]
            rating = zero
            for edge, r in STEPS:
                if ratio >= edge:
                    rating = r
                    break
            total += five * rating / hundred
        for i in range(PROPORTIONAL_ITEMS):
            total += five * min(one, max(zero, v[f"完成{i}"] / hundred))  # type: ignore[operator]
        total += max(zero, five - v["差评次数"])  # type: ignore[operator]
        total += ten * LEVELS[str(employee.ratings["r0"])] / hundred
        over = v["超额"]
        if over > zero:  # type: ignore[operator]
            total += min(ten, 3 * (over / 5000).to_integral_value(rounding="ROUND_FLOOR"))  # type: ignore[operator]
        final = min(total, Decimal(120)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        coefficient = (
            Decimal("0.5")
            if final < 60
            else one
            if final < 80
            else Decimal("1.2")
            if final < 90
            else Decimal("1.5")
        )
        pay = (500 * coefficient + Decimal("0.02") * v["销售额"]).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )  # type: ignore[operator]
        past = history[employee.employee]
        _ = final < 60 and past[0].score < 60
        pays.append(pay)
    return pays


def timed_in_turn(
    template: Any, employees: list[EmployeeInput], history: dict[str, list[PeriodResult]]
) -> tuple[dict[str, list[float]], Any, list[Decimal]]:
    """The engine and the bare loop, REPEATS times each, taking turns (a quiet or busy moment of the
    machine falls on both); wall clock and CPU seconds of each run."""
    times: dict[str, list[float]] = {"engine": [], "engine_cpu": [], "bare": [], "bare_cpu": []}
    results: Any = None
    pays: list[Decimal] = []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        results = score_all(template, employees, history)
        times["engine_cpu"].append(time.process_time() - cpu)
        times["engine"].append(time.perf_counter() - wall)
        wall, cpu = time.perf_counter(), time.process_time()
        pays = bare_loop(employees, history)
        times["bare_cpu"].append(time.process_time() - cpu)
        times["bare"].append(time.perf_counter() - wall)
    return times, results, pays


def main() -> None:
    template = load_template_text(template_text(), "bench")
    employees, history = make_inputs(EMPLOYEES)
    load = os.getloadavg()[0]
    times, results, pays = timed_in_turn(template, employees, history)
    assert [r.pay for r in results] == pays, "the engine and the bare loop disagree"
    median = {name: statistics.median(runs) for name, runs in times.items()}
    least = {name: min(runs) for name, runs in times.items()}
    report = {
        "employees": EMPLOYEES,
        "items": len(template.items),
        "runs": REPEATS,
        "engine_median_s": round(median["engine"], 3),
        "engine_min_s": round(least["engine"], 3),
        "bare_loop_median_s": round(median["bare"], 3),
        "bare_loop_min_s": round(least["bare"], 3),
        "engine_vs_bare_loop": round(median["engine"] / median["bare"], 2),
        "engine_vs_bare_loop_min": round(least["engine"] / least["bare"], 2),
        "engine_cpu_median_s": round(median["engine_cpu"], 3),
        "bare_loop_cpu_median_s": round(median["bare_cpu"], 3),
        "engine_vs_bare_loop_cpu": round(median["engine_cpu"] / median["bare_cpu"], 2),
        "load": round(load, 1),
        "load_after": round(os.getloadavg()[0], 1),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
