"""The hash of a temporary password: argon2 at OWASP's minimum cost instead of Django's default.

A temporary password is drawn by `secrets` from 57 characters, 12 long (about 70 bits): no
attacker can guess it, whatever the hash cost, and it lives at most until the holder's first
sign-in. Passwords that people choose keep Django's full argon2 cost. The cheaper hash keeps the
staff member's decision, in which the reset runs, well under its time budget (bench/cases.py:
about 80 ms of the default cost per reset on this machine). The stored format is ordinary argon2:
Django's hasher verifies it with the parameters written in the hash.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class TemporaryArgon2PasswordHasher(Argon2PasswordHasher):
    # OWASP Password Storage Cheat Sheet, argon2id minimum: m=19 MiB, t=2, p=1.
    time_cost = 2
    memory_cost = 19456
    parallelism = 1
