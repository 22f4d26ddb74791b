"""The `poll` phase kind: settings.py (light), spec.py (the registry hooks)."""
