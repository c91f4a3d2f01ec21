"""Cases: a request run step by step by its unit's SOP, every step on record."""
