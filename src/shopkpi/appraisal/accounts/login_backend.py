"""Who a password or a session signs in: Django's password check, plus the company's rules.

The password is checked for every login, deactivated or not, so that the sign-in can say why it is
refused (`logins.sign_in_refusal`: deactivated, or left the company) instead of "wrong password".
A session signs its user in only while the login is active and its employee has not left: a
deactivated login or a leaver (from the day after 离职日期) loses the sessions they still hold.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import AllowAllUsersModelBackend
from django.contrib.auth.models import User

from shopkpi.appraisal.accounts import logins


class LoginBackend(AllowAllUsersModelBackend):
    def get_user(self, user_id: Any) -> Any:
        # the employee and the login profile come with the user: the pages ask for both on every request
        user = User.objects.select_related("employee", "login_profile").filter(pk=user_id).first()
        if user is None or logins.sign_in_refusal(user) is not None:
            return None
        return user
