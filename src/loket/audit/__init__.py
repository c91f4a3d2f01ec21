"""The audit trail of everything that is not a step of a case: looks at documents and secrets,
sign-ins, imports. Steps are recorded by the cases app itself (StepRun)."""
