"""Account pages: the one-time credential link, and the sign-in standing in for SPSE (sign in,
forced password change, home, sign out). Thin: each calls one service and renders its result."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .backends import backend_for
from .credentials import LinkError, LinkExpired, LinkUsed, link_state, reveal_credential
from .forms import ChangePasswordForm, SignInForm
from .services import PasswordRejected, SignInRefused, change_account_password, sign_in_account
from .session import (
    account_required,
    end_account_session,
    refresh_account_session,
    signed_in_account,
    start_account_session,
)


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the address: keep it out of Referer headers and search engines.
    response["Referrer-Policy"] = "same-origin"  # no-referrer makes Chromium send Origin: null, which CSRF refuses
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


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
        status, title, text = (
            404,
            _("Tautan tidak dikenal"),
            _("Tautan ini tidak dikenal. Periksa apakah alamatnya tersalin lengkap dari e-mail."),
        )
    return _private(render(request, "directory/link_refused.html", {"title": title, "text": text}, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def credential_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button and consumes nothing (mail scanners follow links); POST reveals once."""
    if request.method == "POST":
        try:
            revealed = reveal_credential(token=token)
        except LinkError as error:
            return _link_refused(request, error)
        # Where the account lives in SPSE the holder signs in there, not at Loket's stand-in.
        in_spse = backend_for(revealed.account.unit).by_hand
        context = {"revealed": revealed, "in_spse": in_spse}
        return _private(render(request, "directory/link_revealed.html", context))
    refusal = link_state(token=token)
    if refusal is not None:
        return _link_refused(request, refusal)
    return _private(render(request, "directory/link.html"))


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
                ip=request.META.get("REMOTE_ADDR"),
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
