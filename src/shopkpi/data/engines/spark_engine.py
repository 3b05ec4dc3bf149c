"""Spark SQL: `spark-local` (a local session in this process, two threads) or `spark://host:port` (a
cluster's master). The dataset tables are the session catalogue's tables of the same names when it has
them (a cluster with a metastore); otherwise each is read from `<tables>/<dataset>/` Parquet files,
which `publish` writes (`tables`: the URL's `?tables=` folder, by default `<home>/published/spark`;
on a cluster a folder every node reads). Session: UTC time zone, no web UI."""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from shopkpi.data.datasets import DATASETS, Dataset
from shopkpi.data.engines.base import EngineError, dataset_columns


def spark_master(url: str) -> str:
    return "local[2]" if url.split("?", 1)[0] == "spark-local" else url.split("?", 1)[0]


def tables_folder(url: str, home: Path) -> Path:
    given = parse_qs(urlsplit(url).query).get("tables")
    return Path(given[0]) if given else home / "published" / "spark"


class SparkEngine:
    kind = "spark"
    dialect = "spark"

    def __init__(self, url: str, home: Path) -> None:
        self.folder = tables_folder(url, home)
        self.master = spark_master(url)
        self._session: Any = None
        self._views: set[str] = set()

    @property
    def session(self) -> Any:
        if self._session is None:
            try:
                from pyspark.sql import SparkSession
            except ImportError as error:  # pragma: no cover - a dependency of shopkpi
                raise EngineError("pyspark is not installed") from error
            self._session = (
                SparkSession.builder.master(self.master)
                .appName("shopkpi-metrics")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "2" if self.master.startswith("local") else "200")
                .getOrCreate()
            )
            self._session.sparkContext.setLogLevel("FATAL")  # a refused statement is an EngineError here
        return self._session

    @property
    def tables(self) -> Mapping[str, str]:
        return {}

    def _datasets(self) -> None:
        """Each dataset the catalogue lacks, as a view of its Parquet folder (once per session)."""
        known = {t.name for t in self.session.catalog.listTables()}
        for dataset in DATASETS.values():
            if dataset.organisation or dataset.name in known or dataset.name in self._views:
                continue
            folder = self.folder / dataset.name
            if folder.is_dir():
                self.session.read.parquet(str(folder)).createOrReplaceTempView(dataset.name)
                self._views.add(dataset.name)

    def put(self, name: str, table: pa.Table) -> None:
        rows = [tuple(row.values()) for row in table.to_pylist()]
        self.session.createDataFrame(rows, schema=_spark_schema(table)).createOrReplaceTempView(name)

    def rollups(self) -> frozenset[str]:
        return frozenset()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        self._datasets()
        try:
            return [tuple(row) for row in self.session.sql(sql).collect()]
        except Exception as error:  # pyspark raises its own classes (AnalysisException, Py4JJavaError …)
            raise EngineError(str(error).splitlines()[0]) from error

    def publish(self, tables: Sequence[tuple[Dataset, pa.Table]]) -> None:
        """Each dataset's folder replaced: written beside it, then moved into place."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for dataset, table in tables:
            names = [name for name, _ in dataset_columns(dataset)]
            fresh = self.folder / f".{dataset.name}.new"
            shutil.rmtree(fresh, ignore_errors=True)
            fresh.mkdir()
            pq.write_table(table.select(names), fresh / "part-0.parquet")
            old = self.folder / f".{dataset.name}.old"
            shutil.rmtree(old, ignore_errors=True)
            target = self.folder / dataset.name
            if target.exists():
                target.rename(old)
            fresh.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        self._views.clear()

    def close(self) -> None:
        """The session stays for the process (starting one takes seconds); its views are dropped."""
        if self._session is not None:
            for name in self._views:
                self._session.catalog.dropTempView(name)
        self._views.clear()


def _spark_schema(table: pa.Table) -> Any:
    from pyspark.sql import types as t

    def kind(arrow_type: pa.DataType) -> Any:
        if pa.types.is_date(arrow_type):
            return t.DateType()
        if pa.types.is_timestamp(arrow_type):
            return t.TimestampNTZType()
        if pa.types.is_integer(arrow_type):
            return t.LongType()
        if pa.types.is_decimal(arrow_type):
            return t.DecimalType(arrow_type.precision, arrow_type.scale)
        return t.StringType()

    return t.StructType([t.StructField(f.name, kind(f.type), True) for f in table.schema])
