"""Login with throttling (shared with the API's token login) and logout."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from shopkpi.appraisal.accounts import login_throttle, logins


class ThrottledAuthenticationForm(AuthenticationForm):
    """Refuses while the username or address is locked; records every try."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        request = self.request
        address = login_throttle.client_address(request)
        if username and password:
            user = login_throttle.attempt(
                username, address, lambda: authenticate(request, username=username, password=password)
            )
            if user is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(user)
            self.user_cache = user
        return self.cleaned_data

    def confirm_login_allowed(self, user: Any) -> None:
        """A right password of a deactivated login or a leaver: refused, saying why."""
        refusal = logins.sign_in_refusal(user)
        if refusal is not None:
            code, message = refusal
            raise ValidationError(message, code=code)


class LoginView(auth_views.LoginView):
    template_name = "shopkpi/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return super().post(request, *args, **kwargs)
        except login_throttle.LoginLocked as locked:
            # an unbound form: a bound one would run the throttled check again while rendering
            form = self.authentication_form(request, initial={"username": request.POST.get("username", "")})
            response = self.render_to_response(self.get_context_data(form=form, locked_until=locked.until))
            response.status_code = 429
            response["Retry-After"] = str(locked.retry_after())
            return response


class LogoutView(auth_views.LogoutView):
    next_page = "/login/"
