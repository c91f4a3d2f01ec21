"""The error the staff services and selectors raise; its message is for the operator."""


class StaffError(Exception):
    """A request refused (unknown unit, role or agency, weak password, unknown token ...); the
    message says, in Indonesian, what to do instead."""
