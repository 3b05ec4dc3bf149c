"""Which scorecard templates a position can be bound to: a saved version's id, a built-in one, or either's name."""

from __future__ import annotations

from functools import lru_cache

from shopkpi.appraisal.models import TemplateVersion
from shopkpi.scorecard import TemplateError, builtin_template_dir, load_template_file


def template_exists(text: str) -> str | None:
    """The template id `text` names (an id, or a template's name as its card shows it), or None."""
    wanted = text.strip()
    saved = dict(
        TemplateVersion.objects.order_by("template_id", "version").values_list("template_id", "name")
    )
    known = {**_builtin_names(), **saved}
    if wanted in known:
        return wanted
    by_name = [template_id for template_id, name in known.items() if name == wanted]
    return by_name[0] if len(by_name) == 1 else None


def template_choices() -> list[tuple[str, str]]:
    """(id, name) of every template a position can use, by id."""
    saved = dict(
        TemplateVersion.objects.order_by("template_id", "version").values_list("template_id", "name")
    )
    return sorted({**_builtin_names(), **saved}.items())


@lru_cache(maxsize=1)
def _builtin_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for path in sorted(builtin_template_dir().glob("*.yaml")):
        try:
            names[path.stem] = load_template_file(path).name
        except TemplateError:  # a broken built-in template is caught by its own tests
            continue
    return names
