"""The SPSE password rule and the temporary passwords Loket generates."""

from __future__ import annotations

import pytest

from loket.directory.passwords import generate_temporary_password, password_problems


def test_a_password_meeting_the_spse_rule_has_no_problems():
    assert password_problems("Kuat-Sekali9") == []


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("Ab1!xyz", "8 karakter"),
        ("ABCDEFG1!", "huruf kecil"),
        ("abcdefg1!", "huruf besar"),
        ("Abcdefgh!", "angka"),
        ("Abcdefgh1", "simbol"),
    ],
)
def test_it_names_what_a_weak_password_lacks(password, fragment):
    problems = password_problems(password)
    assert len(problems) == 1 and fragment in problems[0]


def test_every_generated_password_meets_the_rule_and_avoids_ambiguous_characters():
    passwords = [generate_temporary_password() for _ in range(200)]
    assert all(password_problems(p) == [] for p in passwords)
    assert all(len(p) == 12 for p in passwords)
    assert not set("".join(passwords)) & set("0O1lI|'\"` ")
    assert len(set(passwords)) == 200


def test_a_generated_password_has_the_length_asked_and_never_less_than_eight():
    assert len(generate_temporary_password(20)) == 20
    assert password_problems(generate_temporary_password(8)) == []
    with pytest.raises(ValueError):
        generate_temporary_password(6)
