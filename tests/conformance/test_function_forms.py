"""The functions a user metric may call, engine by engine (`engines.functions`), proved by running them.

Every form of `function_forms` runs on DuckDB and on each engine in one statement per engine: a form
the engine's allow-list keeps must give DuckDB's value, printed alike; a form it leaves out must fail
there or give another value (so that the lists refuse nothing the engine runs well), except the
functions left out everywhere because they are approximate or not deterministic. A user metric
calling a left-out function is refused when the catalogue loads, with its name.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources

import pytest
from conformance_company import Company
from function_forms import FORMS, forms_file

from shopkpi.data.engines import EngineError, MetricEngine, open_engine
from shopkpi.data.engines.functions import MAY_DIFFER, left_out
from shopkpi.data.engines.publish import publish
from shopkpi.data.metrics.catalogue import (
    SHIPPED,
    SHIPPED_JSON,
    MetricCatalogue,
    MetricCatalogueError,
    catalogue_from_texts,
)
from shopkpi.data.metrics.computation import MetricValueError, compute_metrics
from shopkpi.data.metrics.sql_guard import parsed_expression

SHIPPED_TEXT = resources.files("shopkpi.data").joinpath(SHIPPED_JSON).read_text("utf-8")


def catalogue(names: list[str], engine: str = "duckdb") -> MetricCatalogue:
    return catalogue_from_texts([(SHIPPED, SHIPPED_TEXT), ("forms.yaml", forms_file(names))], engine=engine)


def functions(form: str) -> set[str]:
    return {type(node).__name__ for node in parsed_expression(FORMS[form]).walk()}


def kept(engine: str) -> list[str]:
    return [form for form in FORMS if not functions(form) & left_out(engine)]


def printed(company: Company, engine: MetricEngine, forms: list[str]) -> dict[tuple[str, str], object]:
    names = [f"f_{form}" for form in forms]
    results = compute_metrics(
        engine, company.periods[-1], catalogue(forms), organisation=company.organisation, names=names
    )
    return {
        (employee, name): (None if v.value is None else format(v.value, "f"), v.provenance)
        for employee, metrics in results.employees.items()
        for name, v in metrics.values.items()
    }


@pytest.fixture(scope="module")
def on_duckdb(company: Company) -> dict[tuple[str, str], object]:
    engine = open_engine(None, company.home)
    try:
        return printed(company, engine, list(FORMS))
    finally:
        engine.close()


@pytest.fixture(scope="module")
def engines(company: Company, postgres_url: str, clickhouse_url: str) -> Iterator[dict[str, MetricEngine]]:
    opened = {}
    for kind, url in (("postgresql", postgres_url), ("clickhouse", clickhouse_url)):
        publish(company.home, url)
        opened[kind] = open_engine(url, company.home)
    yield opened
    for engine in opened.values():
        engine.close()


def test_every_form_loads_and_gives_a_value_on_duckdb(on_duckdb: dict[tuple[str, str], object]) -> None:
    given = {name for (_, name), (value, _) in on_duckdb.items() if value is not None}  # type: ignore[misc]
    assert given >= {f"f_{form}" for form in FORMS} - {"f_nullif", "f_stddev", "f_stddev_samp", "f_variance"}


@pytest.mark.parametrize("kind", ["postgresql", "clickhouse"])
def test_the_forms_an_engine_keeps_give_duckdbs_values(
    kind: str, company: Company, engines: dict[str, MetricEngine], on_duckdb: dict[tuple[str, str], object]
) -> None:
    got = printed(company, engines[kind], kept(kind))
    wrong = [
        f"{key}: DuckDB {on_duckdb[key]}, {kind} {value}"
        for key, value in got.items()
        if on_duckdb[key] != value
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("kind", ["postgresql", "clickhouse"])
def test_the_forms_an_engine_leaves_out_fail_or_differ_there(
    kind: str, company: Company, engines: dict[str, MetricEngine], on_duckdb: dict[tuple[str, str], object]
) -> None:
    for form in FORMS:
        refused = functions(form) & left_out(kind)
        if not refused or refused <= MAY_DIFFER:  # kept, or left out as approximate or not deterministic
            continue
        try:
            got = printed(company, engines[kind], [form])
        except (MetricValueError, EngineError):
            continue
        assert any(on_duckdb[key] != value for key, value in got.items()), f"{form} runs alike on {kind}"


@pytest.mark.parametrize("kind", ["postgresql", "clickhouse", "spark"])
def test_a_user_metric_calling_a_function_its_engine_lacks_is_refused_with_its_name(kind: str) -> None:
    form = next(f for f in FORMS if functions(f) & left_out(kind))
    with pytest.raises(MetricCatalogueError, match=f"f_{form}: .*not available on the metric engine"):
        catalogue([form], engine=kind)
    assert catalogue([form], engine="duckdb").metrics[f"f_{form}"]


@pytest.mark.spark
def test_on_spark_the_kept_forms_give_duckdbs_values_and_the_left_out_fail(
    company: Company, spark_url: str, on_duckdb: dict[tuple[str, str], object]
) -> None:
    publish(company.home, spark_url)
    engine = open_engine(spark_url, company.home)
    try:
        got = printed(company, engine, kept("spark"))
        wrong = [
            f"{key}: DuckDB {on_duckdb[key]}, Spark {value}"
            for key, value in got.items()
            if on_duckdb[key] != value
        ]
        assert not wrong, "\n".join(wrong)
        for form in FORMS:
            refused = functions(form) & left_out("spark")
            if refused and not refused <= MAY_DIFFER:
                with pytest.raises((MetricValueError, EngineError)):
                    printed(company, engine, [form])
    finally:
        engine.close()
