"""The incident form: date, kind (the kinds the employee's template counts), count or amount, note,
evidence files; a change also asks for its reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkpi.appraisal.incidents import evidence
from shopkpi.appraisal.incidents.kinds import Kind
from shopkpi.appraisal.incidents.records import IncidentInput, IncidentRefused

ACCEPT = "image/png,image/jpeg,image/webp,application/pdf"


class MultipleFiles(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one field (Django's recipe); their content is checked by the incident service."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data]
        return [one(data, initial)] if data else []


class IncidentForm(forms.Form):
    occurred_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类型"))
    amount = forms.DecimalField(
        label=_("次数/金额"),
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        initial=1,
        help_text=_("次数（如 1）、天数（如 0.5）或金额（元）。"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = FilesField(
        label=_("证据文件"),
        required=False,
        help_text=_("截图、照片（PNG、JPEG、WebP）或 PDF，每个不超过 10 MB，最多 5 个。"),
        widget=MultipleFiles(attrs={"accept": ACCEPT}),
    )

    def __init__(self, *args: Any, kinds: Sequence[Kind], reason: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k.name, kind_label(k)) for k in kinds]
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if reason:
            self.fields["reason"] = forms.CharField(
                label=_("修改原因"), widget=forms.Textarea(attrs={"rows": 2})
            )

    def given(self, employee: str) -> IncidentInput:
        data = self.cleaned_data
        return IncidentInput(employee, data["occurred_on"], data["kind"], data["amount"], data["note"])

    def refused(self, refusal: IncidentRefused) -> None:
        for problem in refusal.problems:
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, problem.message)


def kind_label(kind: Kind) -> str:
    """差评次数（计入：客服原因导致售后或差评）"""
    return _("%(kind)s（计入：%(items)s）") % {"kind": kind.name, "items": "、".join(kind.items)}


def uploads(request_files: Any) -> list[evidence.Upload]:
    return list(request_files.getlist("evidence"))
