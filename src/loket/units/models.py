"""A unit (LPSE/UKPBJ): its code, name, time zone, working hours, account directory and logo."""

from __future__ import annotations

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("Zona waktu tidak dikenal: %(v)s (contoh: Asia/Makassar)"), params={"v": value}
        ) from exc


def validate_hours(value: str) -> None:
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)", value)
    if not match or value[:5] >= value[6:]:
        raise ValidationError(_("Jam kerja harus berbentuk JJ:MM-JJ:MM, misalnya 08:00-16:00"))


LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")


def validate_logo(value: str) -> None:
    """A logo is an image file on this server (PNG, JPEG or SVG) the SOP documents embed."""
    from pathlib import Path

    path = Path(value)
    if path.suffix.lower() not in LOGO_SUFFIXES:
        raise ValidationError(_("Logo harus berkas PNG, JPEG atau SVG: %(v)s"), params={"v": value})
    if not path.is_file():
        raise ValidationError(_("Berkas logo tidak ditemukan: %(v)s"), params={"v": value})


class Directory(models.TextChoices):
    """Where the unit's SPSE accounts live, and so who resets their passwords."""

    LOCAL = "lokal", _("lokal: akun di basis data Loket, Loket mengatur password sementara")
    SPSE = "spse", _("SPSE: akun di SPSE/INAPROC, petugas mengatur password di SPSE, Loket mengirimkannya")


class Unit(models.Model):
    kode = models.SlugField(_("kode"), max_length=40, unique=True)
    nama = models.CharField(_("nama"), max_length=300)
    zona_waktu = models.CharField(_("zona waktu"), max_length=64, validators=[validate_timezone])
    jam_kerja = models.CharField(_("jam kerja"), max_length=11, default="08:00-16:00", validators=[validate_hours])
    direktori = models.CharField(_("direktori akun"), max_length=10, choices=Directory.choices, default=Directory.LOCAL)
    # Shown in the logo cell of the official SOP document's header; none: the cell holds no logo.
    logo = models.CharField(
        _("logo"),
        max_length=500,
        blank=True,
        validators=[validate_logo],
        help_text=_("Path berkas gambar (PNG, JPEG atau SVG) di server untuk kop dokumen SOP; kosong: tanpa logo."),
    )

    class Meta:
        ordering = ["kode"]
        verbose_name = _("unit")
        verbose_name_plural = _("unit")

    def __str__(self) -> str:
        return f"{self.kode} — {self.nama}"
