"""The function forms a user metric may write (one per function of the SQL guard's allow-list), each an
aggregate over `orders` giving a number. The conformance suite runs them on every engine: a form the
engine's allow-list keeps must give DuckDB's value there; one it refuses must fail or differ there."""

from __future__ import annotations

FORMS: dict[str, str] = {
    # aggregates
    "sum": "sum(amount)",
    "count": "count(buyer)",
    "count_if": "count_if(returned = 1)",
    "avg": "avg(amount)",
    "min": "min(amount)",
    "max": "max(review_score)",
    "arg_max": "arg_max(amount, created_at)",
    "arg_min": "arg_min(amount, created_at)",
    "any_value": "any_value(returned)",
    "first": "first(amount)",
    "last": "last(amount)",
    "median": "median(amount)",
    "quantile_cont": "quantile_cont(amount, 0.5)",
    "quantile_disc": "quantile_disc(amount, 0.5)",
    "stddev": "stddev(amount)",
    "stddev_pop": "stddev_pop(amount)",
    "stddev_samp": "stddev_samp(amount)",
    "variance": "variance(amount)",
    "var_pop": "var_pop(amount)",
    "bool_or": "CAST(bool_or(returned = 1) AS INTEGER)",
    "bool_and": "CAST(bool_and(review_score > 0) AS INTEGER)",
    "string_agg": "length(string_agg(buyer, ','))",
    "approx_count_distinct": "approx_count_distinct(buyer)",
    # logic, conditionals and casts
    "case": "sum(CASE WHEN status = 'paid' THEN amount ELSE 0 END)",
    "if": "sum(if(returned = 1, amount, 0))",
    "and_or": "count(*) FILTER (WHERE returned = 1 AND (review_score > 3 OR review_score IS NULL))",
    "coalesce": "sum(coalesce(refund_amount, 0))",
    "nullif": "sum(nullif(returned, 0))",
    "greatest": "max(greatest(amount, freight))",
    "least": "min(least(amount, freight))",
    "cast": "sum(CAST(review_score AS DECIMAL(10,2)))",
    "try_cast": "sum(TRY_CAST(review_score AS BIGINT))",
    # arithmetic
    "abs": "sum(abs(amount - freight))",
    "round": "sum(round(amount, 1))",
    "floor": "sum(floor(amount))",
    "ceil": "sum(ceil(amount))",
    "sqrt": "sum(sqrt(review_score))",
    "pow": "sum(pow(review_score, 2))",
    "ln": "sum(ln(review_score + 1))",
    "log": "sum(log(review_score + 1))",
    "exp": "sum(exp(review_score))",
    "sign": "sum(sign(amount - 100))",
    "division": "count(*) / 3",
    # dates and times
    "extract": "count(*) FILTER (WHERE extract(hour FROM created_at) >= 20)",
    "date_trunc": "count(DISTINCT date_trunc('day', created_at))",
    "datediff": "max(datediff('day', created_at, delivered_at))",
    "date_add": "count(*) FILTER (WHERE date_add(created_at, INTERVAL 3 DAY) > delivered_at)",
    "year": "max(year(created_at))",
    "quarter": "max(quarter(created_at))",
    "month": "max(month(created_at))",
    "week": "max(week(created_at))",
    "day": "max(day(created_at))",
    "dayofweek": "max(dayofweek(created_at))",
    "dayofmonth": "max(dayofmonth(created_at))",
    "dayofyear": "max(dayofyear(created_at))",
    "hour": "max(hour(created_at))",
    "minute": "max(minute(created_at))",
    "second": "max(second(created_at))",
    "current_date": "count(*) FILTER (WHERE created_at < current_date)",
    "current_timestamp": "count(*) FILTER (WHERE created_at < current_timestamp)",
    "strftime": "count(DISTINCT strftime(created_at, '%Y-%m-%d'))",
    "strptime": "count(*) FILTER (WHERE created_at > strptime('2026-01-01', '%Y-%m-%d'))",
    "date": "count(DISTINCT CAST(created_at AS DATE))",
    "last_day": "count(*) FILTER (WHERE last_day(created_at) = DATE '2026-06-30')",
    "epoch": "max(epoch(created_at))",
    # text
    "lower": "count(*) FILTER (WHERE lower(status) = 'paid')",
    "upper": "count(*) FILTER (WHERE upper(status) = 'PAID')",
    "length": "max(length(buyer))",
    "substring": "count(DISTINCT substring(buyer, 1, 2))",
    "trim": "count(*) FILTER (WHERE trim(status) = 'paid')",
    "concat": "count(DISTINCT concat(shop, buyer))",
    "concat_ws": "count(DISTINCT concat_ws('-', shop, buyer))",
    "strpos": "max(strpos(buyer, '0'))",
    "left": "count(DISTINCT left(buyer, 3))",
    "right": "count(DISTINCT right(buyer, 3))",
    "regexp_matches": "count(*) FILTER (WHERE regexp_matches(buyer, '[0-9]{3}'))",
    "regexp_extract": "count(DISTINCT regexp_extract(buyer, '[0-9]+'))",
    "replace": "count(DISTINCT replace(buyer, '0', ''))",
    "starts_with": "count(*) FILTER (WHERE starts_with(status, 'pa'))",
    "strlen": "max(strlen(buyer))",
    "ends_with": "count(*) FILTER (WHERE ends_with(status, 'id'))",
    "contains": "count(*) FILTER (WHERE contains(buyer, '0'))",
}


def forms_file(names: list[str]) -> str:
    """A user metric file with one aggregate metric `f_<name>` per form."""
    lines = ["metrics:"]
    for name in names:
        lines += [
            f"  f_{name}:",
            "    type: aggregate",
            f"    label_zh: {name}",
            f"    label: {name}",
            "    definition: x",
            "    definition_zh: x",
            "    dataset: orders",
            f'    expression: "{FORMS[name]}"',
        ]
    return "\n".join(lines) + "\n"
