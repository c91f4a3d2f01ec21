"""A unit (LPSE/UKPBJ): its code, name, time zone, working hours, account directory, and its
identity as printed on its pages and documents (logo, letterhead, address, contact, opening hours;
read through `loket.units.services.unit_identity`)."""

from __future__ import annotations

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxValueValidator, MinValueValidator, URLValidator
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


# Digits, a leading "+", spaces, hyphens and the parentheses around an area code: what an office
# prints as its phone ("(0541) 733333", "+62 541 733 333", "0541-733333"); at least 5 digits.
PHONE_PATTERN = re.compile(r"\+?\(?[0-9][0-9 ()-]*[0-9]")


def validate_phone(value: str) -> None:
    if not PHONE_PATTERN.fullmatch(value.strip()) or sum(c.isdigit() for c in value) < 5:
        raise ValidationError(
            _(
                "Nomor telepon hanya boleh berisi angka, + di depan, spasi, tanda hubung dan tanda kurung kode "
                "area, paling sedikit 5 angka, misalnya (0541) 733333: %(v)s"
            ),
            params={"v": value},
        )


validate_contact_email = EmailValidator(message=_("Alamat e-mail kontak tidak sah, contoh: lpse@kaltimprov.go.id"))


def validate_website(value: str) -> None:
    URLValidator(schemes=["http", "https"], message=_("Alamat situs web harus dimulai https:// atau http://"))(value)


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

    # The identity printed on the unit's portal and console pages, receipts, letters and archive
    # records. All optional: an empty one is left out (or, for the hours and letterhead, derived).
    kop = models.TextField(
        _("kop (baris-baris kop surat)"),
        blank=True,
        help_text=_(
            "Satu baris per baris, misalnya PEMERINTAH PROVINSI KALIMANTAN TIMUR lalu nama unitnya; "
            "kosong: nama unit. Dipakai bila SOP atau pengaturan surat tidak punya kop sendiri."
        ),
    )
    alamat = models.TextField(_("alamat"), blank=True, help_text=_("Alamat kantor, boleh beberapa baris."))
    telepon = models.CharField(_("telepon"), max_length=60, blank=True, validators=[validate_phone])
    surel = models.CharField(_("e-mail kontak"), max_length=254, blank=True, validators=[validate_contact_email])
    situs = models.CharField(_("situs web"), max_length=200, blank=True, validators=[validate_website])
    jam_layanan = models.CharField(
        _("jam layanan"),
        max_length=200,
        blank=True,
        help_text=_(
            "Seperti dibaca pemohon, misalnya Senin–Jumat 08.00–16.00 WITA; kosong: dari jam kerja dan zona waktu."
        ),
    )

    # The Standar Pelayanan (Permenpan RB 15/2014) of the unit's services: the components an SOP
    # cannot give. All optional: an empty one takes its default (loket.service_standard.defaults),
    # where one line is one item of the printed list.
    sp_dasar_hukum = models.TextField(
        _("standar pelayanan: dasar hukum tambahan"),
        blank=True,
        help_text=_(
            "Satu peraturan per baris, dicetak setelah dasar hukum SOP; kosong: UU 25/2009 tentang Pelayanan Publik "
            "dan Permenpan RB 15/2014 tentang Pedoman Standar Pelayanan."
        ),
    )
    sp_biaya = models.TextField(
        _("standar pelayanan: biaya/tarif"), blank=True, help_text=_("Kosong: Tidak dipungut biaya.")
    )
    sp_pengaduan = models.TextField(
        _("standar pelayanan: penanganan pengaduan, saran dan masukan"),
        blank=True,
        help_text=_(
            "Satu saluran per baris; kosong: e-mail, telepon dan alamat unit, serta SP4N-LAPOR! (lapor.go.id)."
        ),
    )
    sp_sarana_prasarana = models.TextField(
        _("standar pelayanan: sarana, prasarana dan/atau fasilitas"),
        blank=True,
        help_text=_("Satu per baris; kosong: daftar bawaan (ruang layanan, komputer dan jaringan, aplikasi Loket)."),
    )
    sp_kompetensi_pelaksana = models.TextField(
        _("standar pelayanan: kompetensi pelaksana"),
        blank=True,
        help_text=_("Satu per baris; kosong: kualifikasi pelaksana dari SOP."),
    )
    sp_pengawasan_internal = models.TextField(
        _("standar pelayanan: pengawasan internal"),
        blank=True,
        help_text=_("Kosong: pengawasan oleh atasan langsung dan Aparat Pengawasan Intern Pemerintah (APIP)."),
    )
    sp_jumlah_pelaksana = models.TextField(
        _("standar pelayanan: jumlah pelaksana"),
        blank=True,
        help_text=_("Misalnya 3 orang; kosong: dihitung dari petugas yang memegang peran pelaksana SOP di unit ini."),
    )
    sp_jaminan_pelayanan = models.TextField(_("standar pelayanan: jaminan pelayanan"), blank=True)
    sp_jaminan_keamanan = models.TextField(
        _("standar pelayanan: jaminan keamanan dan keselamatan pelayanan"), blank=True
    )
    sp_evaluasi_kinerja = models.TextField(
        _("standar pelayanan: evaluasi kinerja pelaksana"),
        blank=True,
        help_text=_("Kosong: Survei Kepuasan Masyarakat paling sedikit sekali setahun dan laporan mutu baku."),
    )
    sp_tempat_penetapan = models.CharField(
        _("standar pelayanan: ditetapkan di"),
        max_length=100,
        blank=True,
        help_text=_("Kota tempat standar pelayanan ditetapkan, mis. Samarinda; kosong: dibiarkan titik-titik."),
    )

    # The unit's jadwal retensi arsip for a finished case's documents: their files are removed
    # this many years after the case was archived (loket.cases.retention); empty: kept forever,
    # as no law lets Loket guess a unit's schedule (docs/cases.md "Retensi dokumen").
    retensi_tahun = models.PositiveSmallIntegerField(
        _("masa retensi berkas (tahun)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Menurut jadwal retensi arsip (JRA) unit: berkas permohonan yang sudah diarsipkan dihapus setelah "
            "sekian tahun; catatan arsip dan SHA-256 setiap berkas tetap disimpan. Kosong: disimpan selamanya."
        ),
    )

    class Meta:
        ordering = ["kode"]
        verbose_name = _("unit")
        verbose_name_plural = _("unit")

    def __str__(self) -> str:
        return f"{self.kode} — {self.nama}"
