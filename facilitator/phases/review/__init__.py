"""The `review` phase kind: the team's open agreed items, reviewed at the next session."""
