"""The registration's part of a sealed file (cases.archive): the head's position, the candidate,
the reply letter's number, and the attendance record (every seat, present or not)."""

from __future__ import annotations

from typing import Any

from .models import Registration


def manifest_part(case: Any, iso: Any) -> dict[str, Any] | None:
    found = Registration.objects.filter(case=case).first()
    if found is None:
        return None
    return {
        "jabatan_pimpinan": found.head_position,
        "diajukan_oleh": found.filed_by,
        "instansi_baru": found.new_agency_name,
        "calon": {
            "nama": found.candidate_name,
            "nip": found.candidate_nip,
            "email": found.candidate_email,
            "telepon": found.candidate_phone,
            "jabatan": found.candidate_position,
            "nomor_sk": found.sk_number,
            "tanggal_sk": found.sk_date.isoformat(),
        },
        "nomor_surat_jawaban": found.letter_number,
        "menunggu_pelatihan_sejak": iso(found.waiting_since),
        "hadir_pelatihan": iso(found.trained_at),
        "akun_diaktifkan": iso(found.activated_at),
        "kehadiran": [
            {
                "sesi": seat.session.title,
                "mulai": iso(seat.session.starts_at),
                "tempat": seat.session.place or seat.session.online_url,
                "status": seat.status,
                "diundang": iso(seat.invited_at),
                "dicatat": iso(seat.recorded_at),
                "dicatat_oleh": seat.recorded_by.get_username() if seat.recorded_by else None,
            }
            for seat in found.seats.select_related("session", "recorded_by").order_by("session__starts_at", "id")
        ],
    }
