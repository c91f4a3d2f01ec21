"""Loket: the account-service SOPs of Indonesian procurement units (LPSE/UKPBJ), run step by step."""
