from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from shopkpi.web.pages import home
from shopkpi.web.pages.account import login as auth_views
from shopkpi.web.pages.account import notices as notice_views
from shopkpi.web.pages.account import password as password_views
from shopkpi.web.pages.account import tokens as token_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", password_views.change_password, name="change-password"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("notices/", notice_views.inbox, name="notices"),
    path("notices/read/", notice_views.mark_read, name="notices-read"),
    path("tokens/", token_views.token_list, name="token_list"),
    path("tokens/<int:token_id>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("", include("shopkpi.web.pages.review.urls")),
    path("", include("shopkpi.web.pages.hr.urls")),
    path("", include("shopkpi.web.pages.insight.urls")),
    path("", include("shopkpi.web.pages.users.urls")),
    path("", include("shopkpi.web.pages.org.urls")),
    path("", include("shopkpi.web.pages.incidents.urls")),
    path("", include("shopkpi.web.pages.calibration.urls")),
    path("", include("shopkpi.web.pages.pay_grades.urls")),
]
