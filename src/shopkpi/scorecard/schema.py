"""Print the JSON Schema of a template document, for editors that complete and check YAML.

`make schema` (python -m shopkpi.scorecard.schema) writes it to template.schema.json beside this
module (SCHEMA_PATH); a test fails when the committed file no longer matches the models.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from shopkpi.scorecard.model import TemplateDoc

SCHEMA_PATH = Path(__file__).with_name("template.schema.json")


def template_schema() -> dict[str, Any]:
    """The JSON Schema generated from the template document models."""
    return TemplateDoc.model_json_schema()


def schema_text() -> str:
    """The schema as committed: indented JSON with Chinese kept as is, ending in a newline."""
    return json.dumps(template_schema(), ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    """Print the schema as UTF-8 with \\n line ends, whatever the console's encoding."""
    text = schema_text()
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:  # a replaced stdout (tests) takes text
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    binary.write(text.encode("utf-8"))
    binary.flush()


if __name__ == "__main__":
    main()
