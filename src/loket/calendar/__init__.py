"""Working-minute arithmetic per unit: its time zone, working hours and Indonesian public holidays.

`working` is plain Python (no Django import); `units` is the thin adapter from a Unit row.
"""
