"""The Indeks Kepuasan Masyarakat (IKM) of Permenpan RB 14/2017, as plain Python (no Django).

- The nine elements (`UNSUR`) in the regulation's order, each with the question and its four
  answers as the questionnaire words them (scores 1..4, the lowest answer first).
- `nrr(total, respondents)`: an element's Nilai Rata-Rata, the sum of its scores over the
  respondents.
- `ikm(nrr_per_unsur)`: the index, Σ(NRR × 1/9) × 25, on the range 25..100, with its grade and
  label. The weight is exactly 1/9 (the regulation's "bobot nilai rata-rata tertimbang"
  = 1 / number of elements): worked examples that round it to 0.11 come out about 1 % lower, so
  we use the exact fraction and round only the final index, to two decimals (half up), the way
  the index is reported.
- `grade(value)`: the band of an index value (rounded to two decimals first):
  88.31–100 A Sangat Baik; 76.61–88.30 B Baik; 65.00–76.60 C Kurang Baik; 25.00–64.99 D Tidak
  Baik. On two decimals these bands leave no gap. The bands on the NRR scale (3.5324–4.00,
  3.0644–3.532, 2.60–3.064, 1.00–2.5996) are the same bands divided by 25: an element's own grade
  (`nrr_grade`) is the grade of its NRR × 25, so the NRR bands' gaps at the fourth decimal
  (3.532 … 3.5324) are closed the same way.
- `sample_size(population)`: the respondents a unit needs, from the Krejcie–Morgan table
  (`KREJCIE_MORGAN`).

Why no library: the arithmetic is a few lines; what matters is that it is the regulation's.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SCALE = (1, 2, 3, 4)
WEIGHT = Fraction(1, 9)  # each of the nine elements weighs the same
CONVERSION = 25  # the index is the weighted NRR × 25 (1..4 becomes 25..100)
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Unsur:
    """One element of the survey: its field name, its name, its question, its four answers."""

    field: str
    name: str
    question: str
    answers: tuple[str, str, str, str]  # score 1, 2, 3, 4


# The questionnaire as the regulation's annex words it (the sample questionnaire of Permenpan RB
# 14/2017, as it is reproduced by the units that use it). The tariff question is asked of a free
# service too: "Gratis" is its best answer.
UNSUR: tuple[Unsur, ...] = (
    Unsur(
        "persyaratan",
        "Persyaratan",
        "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Unsur(
        "prosedur",
        "Sistem, mekanisme, dan prosedur",
        "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
        ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    ),
    Unsur(
        "waktu",
        "Waktu penyelesaian",
        "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
        ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    ),
    Unsur(
        "biaya",
        "Biaya/tarif",
        "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
        ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    ),
    Unsur(
        "produk",
        "Produk spesifikasi jenis pelayanan",
        "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam "
        "standar pelayanan dengan hasil yang diberikan?",
        ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    ),
    Unsur(
        "kompetensi",
        "Kompetensi pelaksana",
        "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
        ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    ),
    Unsur(
        "perilaku",
        "Perilaku pelaksana",
        "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?",
        ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
    ),
    Unsur(
        "sarana",
        "Sarana dan prasarana",
        "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
        ("Buruk", "Cukup", "Baik", "Sangat baik"),
    ),
    Unsur(
        "pengaduan",
        "Penanganan pengaduan, saran dan masukan",
        "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
        ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
    ),
)
FIELDS: tuple[str, ...] = tuple(u.field for u in UNSUR)

# (lowest index of the band, grade, label), best first.
BANDS: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal("88.31"), "A", "Sangat Baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang Baik"),
    (Decimal("25.00"), "D", "Tidak Baik"),
)


@dataclass(frozen=True)
class Index:
    value: Decimal  # two decimals, 25.00..100.00
    grade: str  # A..D
    label: str  # Sangat Baik .. Tidak Baik


def _two(value: Fraction | Decimal | float | int) -> Decimal:
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(str(value))
    return exact.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def grade(value: Fraction | Decimal | float | int) -> tuple[str, str]:
    """The grade and label of an index value on 25..100 (rounded to two decimals first)."""
    rounded = _two(value)
    if not Decimal(25) <= rounded <= Decimal(100):
        raise ValueError(f"an index lies between 25 and 100, not {rounded}")
    for low, letter, label in BANDS:
        if rounded >= low:
            return letter, label
    raise AssertionError("unreachable: the last band starts at 25")


def nrr(total: int, respondents: int) -> Fraction:
    """An element's Nilai Rata-Rata: the sum of its scores over the respondents (exact)."""
    if respondents <= 0:
        raise ValueError("an NRR needs at least one respondent")
    return Fraction(total, respondents)


def converted(value: Fraction) -> Decimal:
    """An element's NRR on the index's scale (× 25), to two decimals, rounded as the index is,
    so that the value printed beside a grade is the one the grade was read from."""
    return _two(value * CONVERSION)


def nrr_grade(value: Fraction | Decimal | float) -> tuple[str, str]:
    """An element's own grade: the band its NRR × 25 falls in (module docstring)."""
    exact = value if isinstance(value, Fraction) else Fraction(str(value))
    return grade(exact * CONVERSION)


def ikm(nrr_per_unsur: Sequence[Fraction | Decimal | float | int]) -> tuple[Decimal, str, str]:
    """The index of nine NRRs, Σ(NRR × 1/9) × 25 to two decimals, with its grade and label."""
    if len(nrr_per_unsur) != len(UNSUR):
        raise ValueError(f"the IKM takes {len(UNSUR)} NRRs, one per element, not {len(nrr_per_unsur)}")
    exact = sum((Fraction(str(v)) if not isinstance(v, Fraction) else v for v in nrr_per_unsur), Fraction(0))
    value = exact * WEIGHT * CONVERSION
    letter, label = grade(value)
    return _two(value), letter, label


# -- the sample a unit needs ------------------------------------------------------------------

# Krejcie, R. V. & Morgan, D. W. (1970), "Determining Sample Size for Research Activities",
# Educational and Psychological Measurement 30, 607–610, Table 1: population N → sample S, for a
# 95 % confidence level, a 5 % margin of error and P = 0.5. This is the table units cite for the
# SKM sample (the annex of Permenpan RB 14/2017 refers to it); we could not download the annex
# here, so the rows are the 1970 paper's, checked against the paper's own formula in
# tests/survey/test_ikm.py. Above 1,000,000 the sample stays 384.
KREJCIE_MORGAN: tuple[tuple[int, int], ...] = (
    (10, 10), (15, 14), (20, 19), (25, 24), (30, 28), (35, 32), (40, 36), (45, 40), (50, 44),
    (55, 48), (60, 52), (65, 56), (70, 59), (75, 63), (80, 66), (85, 70), (90, 73), (95, 76),
    (100, 80), (110, 86), (120, 92), (130, 97), (140, 103), (150, 108), (160, 113), (170, 118),
    (180, 123), (190, 127), (200, 132), (210, 136), (220, 140), (230, 144), (240, 148),
    (250, 152), (260, 155), (270, 159), (280, 162), (290, 165), (300, 169), (320, 175),
    (340, 181), (360, 186), (380, 191), (400, 196), (420, 201), (440, 205), (460, 210),
    (480, 214), (500, 217), (550, 226), (600, 234), (650, 242), (700, 248), (750, 254),
    (800, 260), (850, 265), (900, 269), (950, 274), (1000, 278), (1100, 285), (1200, 291),
    (1300, 297), (1400, 302), (1500, 306), (1600, 310), (1700, 313), (1800, 317), (1900, 320),
    (2000, 322), (2200, 327), (2400, 331), (2600, 335), (2800, 338), (3000, 341), (3500, 346),
    (4000, 351), (4500, 354), (5000, 357), (6000, 361), (7000, 364), (8000, 367), (9000, 368),
    (10000, 370), (15000, 375), (20000, 377), (30000, 379), (40000, 380), (50000, 381),
    (75000, 382), (1000000, 384),
)  # fmt: skip
_POPULATIONS = [n for n, _s in KREJCIE_MORGAN]


def sample_size(population: int) -> int:
    """The respondents needed for `population` users of the service in the period.

    A population between two rows of the table takes the next larger row (the larger sample:
    nothing interpolated); a population of at most 10 asks every user (the table's first row is
    N = S = 10, and a sample cannot exceed its population); above 1,000,000 the table's last row.
    """
    if population <= 0:
        return 0
    i = bisect.bisect_left(_POPULATIONS, population)
    sample = KREJCIE_MORGAN[min(i, len(KREJCIE_MORGAN) - 1)][1]
    return min(sample, population)
