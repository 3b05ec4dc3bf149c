"""/tokens/: the signed-in user's API tokens, each revocable; an admin sees and revokes everybody's.
The rule is appraisal.tokens'; a revocation is audited there."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopkpi.appraisal.accounts import tokens


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    admin = tokens.is_admin(request.user)
    shown = tokens.listed(request.user, owner="*" if admin else None)
    return render(request, "shopkpi/tokens.html", {"tokens": shown, "admin": admin})


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    revoked = tokens.revoke_by_id(request.user, token_id)
    if revoked is None:
        raise Http404("no such token")
    messages.success(
        request,
        _("已吊销 %(who)s 的 API 令牌 %(id)s，它立即失效。")
        % {"who": revoked.user.get_username(), "id": token_id},
    )
    return redirect("token_list")
