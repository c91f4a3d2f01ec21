"""Account pages: the one-time credential link, and the sign-in standing in for SPSE (sign in,
forced password change, home, sign out). Thin: each calls one service and renders its result."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from loket.throttle.address import client_address

from .backends import backend_for
from .credentials import LinkError, LinkExpired, LinkUsed, reveal_credential, token_from_code
from .forms import ChangePasswordForm, SignInForm
from .services import PasswordRejected, SignInRefused, change_account_password, sign_in_account
from .session import (
    account_required,
    end_account_session,
    refresh_account_session,
    signed_in_account,
    start_account_session,
)

# The link pages' addresses hold no secret (the token is in the fragment, which no browser sends),
# yet they send no Referer where they can. The two that carry the reveal form send it to their own
# origin only: under no-referrer Chromium sends `Origin: null` with the form's POST, which Django's
# CSRF check refuses. That Referer is `.../akun/tautan/`, nothing more.
NO_REFERRER = "no-referrer"
FORM_REFERRER = "same-origin"


def _private(response: HttpResponse, *, referrer: str = NO_REFERRER) -> HttpResponse:
    response["Referrer-Policy"] = referrer
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _link_form(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    response = render(request, "directory/link.html", {"error": error}, status=status)
    return _private(response, referrer=FORM_REFERRER)


def _link_refused(request: HttpRequest, error: LinkError) -> HttpResponse:
    if isinstance(error, LinkUsed):
        status, title, text = (
            410,
            _("Tautan sudah dipakai"),
            _(
                "Password sementara dari tautan ini sudah pernah ditampilkan, dan tautan hanya dapat dipakai "
                "sekali. Jika bukan Anda yang membukanya, segera hubungi unit layanan dan ajukan permohonan baru."
            ),
        )
    elif isinstance(error, LinkExpired):
        status, title, text = (
            410,
            _("Tautan sudah tidak berlaku"),
            _(
                "Masa berlaku tautan ini sudah habis atau tautan sudah diganti dengan yang lebih baru. "
                "Ajukan permohonan baru bila Anda masih memerlukan password sementara."
            ),
        )
    else:
        # Unknown: most likely a code pasted short. The form again, to paste it whole.
        return _link_form(
            request,
            error=_("Tautan ini tidak dikenal. Periksa apakah alamatnya tersalin lengkap dari e-mail."),
            status=404,
        )
    return _private(render(request, "directory/link_refused.html", {"title": title, "text": text}, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
@sensitive_variables()
def credential_link(request: HttpRequest) -> HttpResponse:
    """GET shows the reveal form and consumes nothing (mail scanners follow links; the token, in
    the fragment, does not even reach the server); POST reveals once. The token comes in the POST
    body: `token`, which the page's script (web/link.js) fills from the fragment, or `kode`, the
    code or whole link the holder pasted where no script runs. Error reports hide both."""
    if request.method == "GET":
        return _link_form(request)
    token = token_from_code(request.POST.get("token") or request.POST.get("kode") or "")
    if not token:
        return _link_form(request, error=_("Tempelkan dulu tautan atau kode dari e-mail."), status=400)
    try:
        revealed = reveal_credential(token=token)
    except LinkError as error:
        return _link_refused(request, error)
    # Where the account lives in SPSE the holder signs in there, not at Loket's stand-in.
    in_spse = backend_for(revealed.account.unit).by_hand
    context = {"revealed": revealed, "in_spse": in_spse}
    return _private(render(request, "directory/link_revealed.html", context))


@never_cache
def old_credential_link(request: HttpRequest, token: str) -> HttpResponse:
    """A link mailed before the token moved to the fragment (`/akun/tautan/<token>/`): sent on to
    `/akun/tautan/#<token>`, looking nothing up and consuming nothing. Only this one request's
    access log line holds the token (the project's log handler redacts it: logfilters)."""
    target = reverse("akun:tautan") + "#" + quote(token, safe="")
    return _private(HttpResponseRedirect(target))


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if target and ok else None


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and signed_in_account(request) is not None:
        return redirect("akun:beranda")
    form = SignInForm(request.POST or None, initial={"unit": request.GET.get("unit")})
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            account = sign_in_account(
                unit_kode=form.cleaned_data["unit"].kode,
                user_id=form.cleaned_data["user_id"],
                password=form.cleaned_data["password"],
                ip=client_address(request),
            )
        except SignInRefused as refused:
            error = str(refused)
        else:
            start_account_session(request, account)
            if account.must_change_password:
                return redirect("akun:ganti_password")
            return redirect(_next_url(request) or "akun:beranda")
    return render(request, "directory/sign_in.html", {"form": form, "error": error, "next": _next_url(request) or ""})


@never_cache
@require_http_methods(["GET", "POST"])
@account_required(allow_must_change=True)
def change_password(request: HttpRequest) -> HttpResponse:
    account = request.account  # type: ignore[attr-defined]
    forced = account.must_change_password
    form = ChangePasswordForm(request.POST or None, forced=forced)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            change_account_password(
                account=account,
                new_password=form.cleaned_data["new"],
                confirm=form.cleaned_data["confirm"],
                current_password=form.cleaned_data.get("current"),
            )
        except PasswordRejected as rejected:
            problems = rejected.problems
        else:
            refresh_account_session(request, account)
            messages.success(request, _("Password berhasil diganti. Gunakan password baru ini setiap kali masuk."))
            return redirect("akun:beranda")
    return render(
        request,
        "directory/change_password.html",
        {"form": form, "forced": forced, "problems": problems, "account": account},
    )


@never_cache
@account_required()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "directory/home.html", {"account": request.account})  # type: ignore[attr-defined]


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    end_account_session(request)
    messages.info(request, _("Anda sudah keluar."))
    return redirect("akun:masuk")
