"""修改密码: every user changes their own password here; a one-time password is changed here first."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from shopkpi.appraisal.accounts import logins
from shopkpi.web.pages.hr.access import safe_next

# the field a refusal of the service belongs to
_FIELD_OF = {"wrong_password": "old_password", "password_unchanged": "new_password1"}


class PasswordForm(forms.Form):
    old_password = forms.CharField(
        label=_("原密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        max_length=1024,
        help_text=_("至少 10 个字符，不能是常见密码。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("new_password1")
            and data.get("new_password2")
            and data["new_password1"] != data["new_password2"]
        ):
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


@login_required
def change_password(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    forced = logins.must_change_password(user)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            logins.change_password(
                user, form.cleaned_data["old_password"], form.cleaned_data["new_password1"]
            )
        except logins.PasswordRefused as refused:
            form.add_error(_FIELD_OF.get(refused.code, "new_password1"), str(refused))
        else:
            update_session_auth_hash(request, user)  # this session stays signed in
            messages.success(request, _("密码已修改。"))
            return redirect(safe_next(request, "/"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "shopkpi/users/password.html",
        {"form": form, "forced": forced, "next": safe_next(request, "")},
        status=status,
    )
