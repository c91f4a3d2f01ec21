"""Units: the procurement units (LPSE/UKPBJ) Loket serves, as data."""
