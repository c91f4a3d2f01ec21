"""The survey pages nobody signs in to: the form of a mailed link, and the counter's tablet.

Thin: `services.read_answers` checks what was chosen, `services.submit_response` /
`submit_at_tablet` write it. A wrong token answers a plain 404 (whether it ever existed is not
said); a used or expired link a kind page. The token is in the address (the link is meant to be
opened on a phone with one tap), so these pages send `Referrer-Policy: same-origin`: no other site
ever sees it in a Referer, while the form's own POST keeps its Origin for the CSRF check (the
board's `no-referrer` would make it "null"). They are never cached.

Throttling: not registered in loket.throttle. A token has 256 random bits (the tablet's 192), so
guessing one is hopeless whatever the rate, and a valid token takes exactly one answer (the
database's one-to-one on the case): a flood of posts can add nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from . import services
from .ikm import UNSUR
from .models import Invitation, Tablet

SESSION_THANKS = "loket.survey.thanks"


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the address: no other site may see it in a Referer (same-origin keeps the
    # Origin header of the form's own POST, which the CSRF check reads; no-referrer would send "null").
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def questions(data: Any = None, problems: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The nine questions for the template, each with the answer chosen so far and its problem."""
    data = data or {}
    problems = problems or {}
    out = []
    for number, unsur in enumerate(UNSUR, start=1):
        chosen = str(data.get(unsur.field) or "")
        out.append(
            {
                "number": number,
                "unsur": unsur,
                "answers": [(str(score), text) for score, text in enumerate(unsur.answers, start=1)],
                "chosen": chosen,
                "problem": problems.get(unsur.field, ""),
            }
        )
    return out


def _form_context(invitation: Invitation, data: Any = None, error: Any = None) -> dict[str, Any]:
    problems = getattr(error, "problems", {}) if error else {}
    return {
        "invitation": invitation,
        "case": invitation.case,
        "unit": invitation.case.unit,
        "questions": questions(data, problems),
        "comment": str((data or {}).get("comment") or ""),
        "comment_problem": problems.get("comment", ""),
        "comment_max": services.COMMENT_MAX,
        "error": error.message if error else "",
    }


@never_cache
@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, token: str) -> HttpResponse:
    """The survey of a mailed link: the nine questions and the comment; after an answer the
    thank-you page. Opening the link (GET) never uses it: only an answer does."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        raise Http404
    try:
        services.check_open(invitation)
    except (services.Used, services.Expired) as exc:
        return _private(render(request, "survey/closed.html", {"message": exc.message, "unit": invitation.case.unit}))
    if request.method == "POST":
        try:
            answers = services.read_answers(request.POST)
            services.submit_response(token=token, answers=answers)
        except services.Invalid as exc:
            context = _form_context(invitation, request.POST, exc)
            return _private(render(request, "survey/form.html", context, status=400))
        except (services.Used, services.Expired, services.Unknown) as exc:
            context = {"message": exc.message, "unit": invitation.case.unit}
            return _private(render(request, "survey/closed.html", context))
        request.session[SESSION_THANKS] = invitation.case.unit.nama
        return redirect("survei:thanks")
    return _private(render(request, "survey/form.html", _form_context(invitation)))


@never_cache
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    return _private(render(request, "survey/thanks.html", {"unit_name": request.session.get(SESSION_THANKS, "")}))


def _int(value: Any) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() else 0


def _tablet(token: str) -> Tablet:
    tablet = Tablet.objects.select_related("counter", "counter__unit").filter(token=token).first() if token else None
    if tablet is None:
        raise Http404
    return tablet


@never_cache
@require_http_methods(["GET", "POST"])
def tablet(request: HttpRequest, token: str) -> HttpResponse:
    """The counter's tablet: the survey staff just offered for the visitor in front of them, or a
    waiting screen that looks again every few seconds (a meta refresh: no script needed)."""
    device = _tablet(token)
    unit = device.counter.unit
    base = {"tablet": device, "unit": unit, "counter": device.counter}
    if request.method == "POST":
        try:
            answers = services.read_answers(request.POST)
            services.submit_at_tablet(tablet=device, invitation_id=_int(request.POST.get("undangan")), answers=answers)
        except services.Invalid as exc:
            shown = services.offered_on(device.counter_id)
            if shown is not None:
                context = {**base, **_form_context(shown, request.POST, exc), "on_tablet": True}
                return _private(render(request, "survey/form.html", context, status=400))
            return _private(render(request, "survey/tablet_wait.html", base))
        except services.SurveyError as exc:
            return _private(render(request, "survey/tablet_wait.html", {**base, "message": exc.message}))
        return _private(render(request, "survey/tablet_wait.html", {**base, "thanked": True}))
    shown = services.offered_on(device.counter_id)
    if shown is None:
        return _private(render(request, "survey/tablet_wait.html", base))
    return _private(render(request, "survey/form.html", {**base, **_form_context(shown), "on_tablet": True}))
