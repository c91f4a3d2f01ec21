"""Deviations from the mutu baku (issue 12, point 2): a late step or a step done with a document missing, the executor's answer and the supervisor's review."""
