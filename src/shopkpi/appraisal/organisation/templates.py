"""Which scorecard templates a position can be bound to: a saved version's id, a built-in one, or either's name."""

from __future__ import annotations

from functools import lru_cache

from shopkpi.appraisal.models import TemplateVersion
from shopkpi.scorecard import PeriodKind, TemplateError, builtin_template_dir, load_template_file


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


def template_choices(kind: PeriodKind | None = None) -> list[tuple[str, str]]:
    """(id, name) of every template a position can use, by id; with `kind`, only the templates of that
    period (month, quarter, year), as the newest version of each says."""
    latest = {v.template_id: v for v in TemplateVersion.objects.order_by("template_id", "version")}
    known: dict[str, tuple[str, PeriodKind | None]] = dict(_builtin())
    for template_id, version in latest.items():
        try:
            known[template_id] = (version.name, version.compiled().period)
        except TemplateError:
            known[template_id] = (version.name, None)
    return sorted((t, name) for t, (name, period) in known.items() if kind is None or period == kind)


def _builtin_names() -> dict[str, str]:
    return {template_id: name for template_id, (name, _period) in _builtin().items()}


@lru_cache(maxsize=1)
def _builtin() -> dict[str, tuple[str, PeriodKind]]:
    found: dict[str, tuple[str, PeriodKind]] = {}
    for path in sorted(builtin_template_dir().glob("*.yaml")):
        try:
            template = load_template_file(path)
        except TemplateError:  # a broken built-in template is caught by its own tests
            continue
        found[path.stem] = (template.name, template.period)
    return found
