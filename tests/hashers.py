"""Argon2 with the smallest cost, for tests only: the same algorithm and hash format as
production (the tests check `argon2` hashes), without ~0.4 s of work per password."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1
