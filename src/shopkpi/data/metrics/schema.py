"""Print the JSON Schema of a metric definition file, for editors that complete and check YAML.

`python -m shopkpi.data.metrics.schema > src/shopkpi/data/metrics/metric-file.schema.json` writes it
beside the shipped catalogue (SCHEMA_PATH); a test fails when the committed file no longer
matches the models. A YAML file can name it with `# yaml-language-server: $schema=<path>`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shopkpi.data.metrics.definitions import MetricFile

SCHEMA_PATH = Path(__file__).with_name("metric-file.schema.json")


def metric_file_schema() -> dict[str, Any]:
    """The JSON Schema generated from the metric definition models."""
    schema = MetricFile.model_json_schema()
    schema["title"] = "shopkpi metric definitions (指标定义)"
    return schema


def schema_text() -> str:
    """The schema as committed: indented JSON with Chinese kept as is, ending in a newline."""
    return json.dumps(metric_file_schema(), ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    """Print the schema as UTF-8 with \\n line ends, whatever the console's encoding."""
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:
        sys.stdout.write(schema_text())
        return
    binary.write(schema_text().encode("utf-8"))
    binary.flush()


if __name__ == "__main__":
    main()
