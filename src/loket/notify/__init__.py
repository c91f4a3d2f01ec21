"""Mail through an outbox: written in the caller's transaction, sent over SMTP by the worker."""
