"""The survey tests' fixtures: `service` and `other_service`, test SOPs of test units
(tests/sop_factory.py), and a helper that runs a case to its end."""

from tests.sop_factory import other_service, service

__all__ = ["other_service", "service"]
