"""The forms of the organisation pages, and a service refusal shown at its field."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shopkpi.appraisal.models import Department, Position
from shopkpi.appraisal.organisation.kinds import KINDS
from shopkpi.appraisal.organisation.problems import OrganisationRefused
from shopkpi.appraisal.organisation.templates import template_choices
from shopkpi.scorecard import PeriodKind


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def refused(self, refusal: OrganisationRefused, aliases: dict[str, str] | None = None) -> None:
        """Each problem of the service at its field (or the form's top when the form has no such field)."""
        for problem in refusal.problems:
            name = (aliases or {}).get(problem.field, problem.field)
            self.add_error(name if name in self.fields else None, problem.message)


def _date(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text, widget=forms.DateInput(attrs={"type": "date"})
    )


class EmployeeForm(_Form):
    code = forms.CharField(label=_("工号"), max_length=50)
    name = forms.CharField(label=_("姓名"), max_length=100)
    department = forms.CharField(label=_("部门"), max_length=100, help_text=_("新名称会新建部门。"))
    position = forms.CharField(
        label=_("岗位"), max_length=100, help_text=_("新名称会新建岗位（之后绑定模板）。")
    )
    supervisor = forms.CharField(label=_("上级工号"), max_length=50, required=False)
    base_salary = forms.DecimalField(
        label=_("基本工资"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    hired_on = _date(_("入职日期"))
    email = forms.EmailField(label=_("邮箱"), required=False)
    mobile = forms.CharField(label=_("手机"), max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].widget.attrs["list"] = "departments"
        self.fields["position"].widget.attrs["list"] = "positions"

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["supervisor"] = data.get("supervisor") or None
        return data


class ChangeForm(_Form):
    """Department, position, supervisor and base salary from a day; name and contacts at once."""

    effective = _date(
        _("生效日期"), required=True, help_text=_("部门、岗位、上级和基本工资的变动从这一天起生效。")
    )
    department = forms.CharField(label=_("部门"), max_length=100)
    position = forms.CharField(label=_("岗位"), max_length=100)
    supervisor = forms.CharField(label=_("上级工号"), max_length=50, required=False)
    base_salary = forms.DecimalField(
        label=_("基本工资"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    name = forms.CharField(label=_("姓名"), max_length=100)
    hired_on = _date(_("入职日期"))
    email = forms.EmailField(label=_("邮箱"), required=False)
    mobile = forms.CharField(label=_("手机"), max_length=30, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective"].initial = timezone.localdate()
        self.fields["department"].widget.attrs["list"] = "departments"
        self.fields["position"].widget.attrs["list"] = "positions"

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("effective")
        data["supervisor"] = data.get("supervisor") or None
        return data


class LeaverForm(_Form):
    left_on = _date(_("离职日期"), required=True, help_text=_("最后一个工作日；次日起不能再登录。"))


class AccountForm(_Form):
    employee = forms.CharField(label=_("归属人工号"), max_length=50)
    kind = forms.ChoiceField(label=_("账号类型"))
    account = forms.CharField(
        label=_("账号"), max_length=200, help_text=_("与平台报表里的写法一致，如店铺名、旗舰店:小美。")
    )
    valid_from = _date(
        _("生效日期"), help_text=_("落在另一人不限期的归属期内时，即为交接：前一人到前一天为止。")
    )
    valid_to = _date(_("失效日期"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [(k, str(v)) for k, v in KINDS.items()]


class EndForm(_Form):
    valid_to = _date(_("失效日期"), required=True)


class TemplateForm(_Form):
    """A position's template for one kind of period: the monthly one must be chosen, a quarterly or
    annual one may be left empty (no such appraisal)."""

    template = forms.ChoiceField(label=_("考核表模板"))

    def __init__(self, *args: Any, kind: PeriodKind = "month", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(t, f"{name}（{t}）") for t, name in template_choices(kind)]
        empty = _("（请选择）") if kind == "month" else _("（不考核）")
        field = cast(forms.ChoiceField, self.fields["template"])
        field.choices = [("", empty), *choices]
        field.required = kind == "month"


class NameForm(_Form):
    name = forms.CharField(label=_("名称"), max_length=100)


UPLOADS = (("employees", _("花名册")), ("accounts", _("账号归属")), ("positions", _("岗位与模板")))


class UploadForm(_Form):
    dataset = forms.ChoiceField(label=_("工作簿"), choices=UPLOADS)
    file = forms.FileField(label=_("文件"), help_text=_("XLSX 或 CSV，中文表头（见组织架构指南）。"))


def names() -> dict[str, list[str]]:
    """The department and position names the forms suggest."""
    return {
        "departments": list(Department.objects.order_by("name").values_list("name", flat=True)),
        "positions": list(Position.objects.order_by("name").values_list("name", flat=True)),
    }
