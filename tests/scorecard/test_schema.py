"""The committed JSON Schema of templates is the one the models generate: editors see what the loader checks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from shopkpi.scorecard.model import TemplateDoc
from shopkpi.scorecard.schema import SCHEMA_PATH, main, schema_text


def test_the_committed_schema_is_the_generated_one() -> None:
    committed = SCHEMA_PATH.read_text(encoding="utf-8")
    assert committed == schema_text(), (
        f"{SCHEMA_PATH.name} is out of date with shopkpi/scorecard/model.py; run `make schema` and commit it"
    )


def test_the_schema_is_the_template_documents() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema == TemplateDoc.model_json_schema()
    assert set(schema["required"]) == {"id", "name", "items"}
    assert schema["additionalProperties"] is False  # a misspelt key is an error, in the editor too


def test_main_prints_the_schema_and_a_newline(capsys: pytest.CaptureFixture[str]) -> None:
    main()
    printed = capsys.readouterr().out
    assert printed == json.dumps(TemplateDoc.model_json_schema(), ensure_ascii=False, indent=2) + "\n"


def test_runs_as_a_module_in_utf8() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "shopkpi.scorecard.schema"],
        capture_output=True,
        check=True,
        env={"PYTHONIOENCODING": "ascii", "PATH": ""},
    )
    assert done.stdout.decode("utf-8") == schema_text()
