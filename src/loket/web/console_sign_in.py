"""The staff console's sign-in page (`/konsol/masuk/`): Django's LoginView with the sign-in limit
of `loket.throttle.signin` (through `loket.throttle.backends.ThrottledModelBackend`, which the
admin's sign-in uses too). A refused attempt answers 429 with how long to wait instead of the
wrong-password message, and checks no password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import LoginView
from django.http import HttpResponse

from loket.throttle.backends import refusal_of
from loket.throttle.signin import refused_message


class ConsoleSignInView(LoginView):
    template_name = "web/console/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        refused = refusal_of(self.request)
        context["refused"] = refused_message(refused) if refused is not None else ""
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        refused = refusal_of(self.request)
        if refused is not None:
            response.status_code = 429
            response["Retry-After"] = str(refused.seconds)
        return response
