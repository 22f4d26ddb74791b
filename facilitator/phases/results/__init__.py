"""The `results` phase kind: a unit's QWL results on the projector, helper questions
per statement, and an optional focus vote on the statements (see spec.py)."""
