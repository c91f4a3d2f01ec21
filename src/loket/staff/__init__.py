"""Staff of a unit: their roles (the SOP lanes they act in), their scope, their API tokens."""
