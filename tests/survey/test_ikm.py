"""The index as Permenpan RB 14/2017 computes it: NRR per element, equal weights 1/9, × 25, the
grade bands A–D; and the Krejcie–Morgan sample sizes. Pure Python, no database."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from loket.survey.ikm import KREJCIE_MORGAN, UNSUR, converted, grade, ikm, nrr, nrr_grade, sample_size
from loket.survey.selectors import Element

# Four respondents' answers to the nine elements, in the regulation's order (persyaratan …
# penanganan pengaduan).
ANSWERS = [
    [4, 4, 3, 4, 3, 4, 4, 3, 3],
    [3, 3, 3, 4, 3, 3, 4, 3, 2],
    [4, 3, 2, 4, 3, 3, 3, 3, 3],
    [3, 3, 3, 4, 4, 4, 4, 2, 3],
]


def test_a_hand_computed_example_gives_its_index_and_grade():
    """A hand-computed example (NOT the regulation annex's own worked example, whose exact
    numbers we cannot check here), worked on paper:

    sums per element: 14, 13, 11, 16, 13, 14, 15, 11, 11 (total 118)
    NRR = sum / 4:    3.50, 3.25, 2.75, 4.00, 3.25, 3.50, 3.75, 2.75, 2.75 (Σ 29.5)
    IKM = Σ NRR × 1/9 × 25 = 29.5 / 9 × 25 = 81.944… → 81.94, in 76.61–88.30: B "Baik".
    (With the weight rounded to 0.11, as some worked examples do, it would read 81.13.)
    Element grades on NRR × 25: 87.5 B, 81.25 B, 68.75 C, 100 A, 81.25 B, 87.5 B, 93.75 A,
    68.75 C, 68.75 C.
    """
    sums = [sum(r[i] for r in ANSWERS) for i in range(9)]
    assert sums == [14, 13, 11, 16, 13, 14, 15, 11, 11]
    nrrs = [nrr(s, len(ANSWERS)) for s in sums]
    assert nrrs == [Fraction(x) for x in ("3.5", "3.25", "2.75", "4", "3.25", "3.5", "3.75", "2.75", "2.75")]
    assert ikm(nrrs) == (Decimal("81.94"), "B", "Baik")
    assert [nrr_grade(v)[0] for v in nrrs] == ["B", "B", "C", "A", "B", "B", "A", "C", "C"]


def test_every_answer_at_the_ends_of_the_scale_gives_25_and_100():
    assert ikm([1] * 9) == (Decimal("25.00"), "D", "Tidak Baik")
    assert ikm([4] * 9) == (Decimal("100.00"), "A", "Sangat Baik")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100", ("A", "Sangat Baik")),
        ("88.31", ("A", "Sangat Baik")),
        ("88.305", ("A", "Sangat Baik")),  # 88.31 on two decimals
        ("88.30", ("B", "Baik")),
        ("76.61", ("B", "Baik")),
        ("76.60", ("C", "Kurang Baik")),
        ("65.00", ("C", "Kurang Baik")),
        ("64.99", ("D", "Tidak Baik")),
        ("25", ("D", "Tidak Baik")),
    ],
)
def test_the_grade_bands_are_the_regulations(value, expected):
    assert grade(Decimal(value)) == expected


def test_the_nrr_bands_are_the_index_bands_over_25():
    assert nrr_grade(Decimal("3.5324"))[0] == "A"
    assert nrr_grade(Decimal("3.532"))[0] == "B"
    assert nrr_grade(Decimal("3.0644"))[0] == "B"
    assert nrr_grade(Decimal("3.064"))[0] == "C"
    assert nrr_grade(Decimal("2.60"))[0] == "C"
    assert nrr_grade(Decimal("2.5996"))[0] == "D"


def test_it_refuses_what_is_not_an_index():
    with pytest.raises(ValueError):
        grade(Decimal("24.99"))
    with pytest.raises(ValueError):
        ikm([3] * 8)
    with pytest.raises(ValueError):
        nrr(10, 0)


def test_the_nine_elements_each_have_four_answers_lowest_first():
    assert [u.field for u in UNSUR] == [
        "persyaratan",
        "prosedur",
        "waktu",
        "biaya",
        "produk",
        "kompetensi",
        "perilaku",
        "sarana",
        "pengaduan",
    ]
    assert all(len(u.answers) == 4 for u in UNSUR)
    biaya = UNSUR[3]
    assert (biaya.answers[0], biaya.answers[3]) == ("Sangat mahal", "Gratis")


def test_every_row_of_the_krejcie_morgan_table_follows_its_formula():
    """s = X²NP(1−P) / (d²(N−1) + X²P(1−P)), X² = 3.841, P = 0.5, d = 0.05 (Krejcie & Morgan 1970):
    each row as published is the formula's value rounded to the nearest whole respondent."""
    for population, sample in KREJCIE_MORGAN:
        s = 3.841 * population * 0.25 / (0.05**2 * (population - 1) + 3.841 * 0.25)
        assert round(s) == sample, (population, sample, s)
    assert [n for n, _ in KREJCIE_MORGAN] == sorted(n for n, _ in KREJCIE_MORGAN)


@pytest.mark.parametrize(
    ("population", "sample"),
    [
        (0, 0),
        (1, 1),
        (7, 7),  # at most the population: everyone is asked
        (10, 10),
        (11, 11),  # row 15 → 14, but only 11 can answer
        (100, 80),
        (101, 86),  # between 100 and 110: the larger row, nothing interpolated
        (1000, 278),
        (1001, 285),
        (75001, 384),
        (1_000_000, 384),
        (5_000_000, 384),
    ],
)
def test_the_sample_takes_the_next_larger_row(population, sample):
    assert sample_size(population) == sample


def test_an_element_on_the_index_scale_rounds_half_up_as_the_index_does():
    """NRR 3,5322 × 25 is exactly 88,305: printed 88,31 (half up, as the index and its grade read
    it), never 88,30 beside the grade the rounded-up value earns."""
    exact = Fraction(35322, 10000)
    assert exact * 25 == Fraction(88305, 1000)
    assert converted(exact) == Decimal("88.31")
    assert converted(Fraction(7, 2)) == Decimal("87.50")
    element = Element("u1", "Persyaratan", 35322, exact, *nrr_grade(exact))
    assert (element.converted, element.grade) == (Decimal("88.31"), "A")
