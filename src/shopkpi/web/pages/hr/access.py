"""Who may open the HR console, the GM pages and the users page.

Console pages (cycles, imports, audit log …) answer 403 with the reason to a user without the role;
pages that show one review's data answer 404, as if the review did not exist (保密原则). Every
refusal goes through `errors.domain_errors`: these decorators only raise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from shopkpi.appraisal.accounts.logins import may_manage
from shopkpi.appraisal.accounts.roles import is_gm, is_hr
from shopkpi.appraisal.organisation import records
from shopkpi.appraisal.policy import ActionRefused
from shopkpi.web.pages.common.errors import Reshow, domain_errors

View = TypeVar("View", bound=Callable[..., HttpResponse])


def _guard(check: Callable[[Any], bool], *, review_level: bool, refusal: Any) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                if review_level:
                    raise Http404("not found")
                raise ActionRefused(str(refusal))
            return view(request, *args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def hr_page(*, review_level: bool = False, reshow: Reshow | None = None) -> Callable[[View], View]:
    """Signed in, HR role, domain errors mapped (403 console / 404 review data for others)."""

    def decorate(view: View) -> View:
        guarded = _guard(is_hr, review_level=review_level, refusal=_("只有人事可以使用人事控制台。"))(view)
        return login_required(domain_errors(reshow=reshow)(guarded))

    return decorate


def gm_page(*, review_level: bool = False, reshow: Reshow | None = None) -> Callable[[View], View]:
    """Signed in, GM role, domain errors mapped."""

    def decorate(view: View) -> View:
        guarded = _guard(is_gm, review_level=review_level, refusal=_("只有总经理可以使用审批页面。"))(view)
        return login_required(domain_errors(reshow=reshow)(guarded))

    return decorate


def users_page() -> Callable[[View], View]:
    """Signed in, admin or HR (who manage logins), domain errors mapped."""

    def decorate(view: View) -> View:
        guarded = _guard(may_manage, review_level=False, refusal=_("只有管理员和人事可以管理用户。"))(view)
        return login_required(domain_errors(guarded))

    return decorate


def org_page() -> Callable[[View], View]:
    """Signed in, HR or admin (who keep the organisation), domain errors mapped."""

    def decorate(view: View) -> View:
        guarded = _guard(
            records.may_change, review_level=False, refusal=_("只有人事和管理员可以管理组织架构。")
        )(view)
        return login_required(domain_errors(guarded))

    return decorate


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` of the form when it is a path of this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
