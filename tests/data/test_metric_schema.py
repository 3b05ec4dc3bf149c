"""The committed JSON Schema of metric files is the one the models generate."""

from __future__ import annotations

from shopkpi.data.metrics.schema import SCHEMA_PATH, metric_file_schema, schema_text


def test_the_committed_schema_matches_the_models() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "regenerate: python -m shopkpi.data.metrics.schema > src/shopkpi/data/metrics/metric-file.schema.json"
    )


def test_the_schema_allows_both_forms_of_an_aggregate() -> None:
    aggregate = metric_file_schema()["$defs"]["AggregateMetric"]
    assert {"dataset", "expression", "filter", "by", "sources"} <= set(aggregate["properties"])
    assert "sources" not in aggregate.get("required", [])
