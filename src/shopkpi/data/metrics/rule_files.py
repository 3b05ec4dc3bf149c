"""A folder of YAML files under the home, each validated as one pydantic model: the exclusion calendars
(`calendars`) and the shops' credit rules (`credit_rules`) are written this way."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


def parsed_files(folder: Path | None, model: type[Model], problems: list[str]) -> list[tuple[str, Model]]:
    """(file name, parsed) of every `*.yaml`/`*.yml` of `folder` by name (none when it does not exist);
    a file that is not YAML or not a `model` adds its problems (`file: where: what`) and is left out."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        try:
            found.append(
                (path.name, model.model_validate(YAML(typ="safe", pure=True).load(path.read_text("utf-8"))))
            )
        except YAMLError as error:
            problems.append(f"{path.name}: not valid YAML: {error}")
        except ValidationError as error:
            problems += [f"{path.name}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]
    return found
