"""The REST API (django-ninja) at /api/v1/: the public service list and request endpoints for
requesters and their systems, and the token-authenticated case endpoints for staff.

Thin like every channel: each operation parses its input, calls one service function and maps
the service's errors (`loket.cases.errors`) to HTTP. See docs/api.md.
"""
