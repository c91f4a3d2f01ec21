"""The Standar Pelayanan tests' fixtures: `service`, a test SOP of a test unit (tests/sop_factory.py)."""

from tests.sop_factory import service

__all__ = ["service"]
