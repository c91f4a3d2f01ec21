"""Fixtures: `service` and `other_service`, test SOPs of test units (tests/sop_factory.py)."""

from tests.sop_factory import other_service, service

__all__ = ["other_service", "service"]
