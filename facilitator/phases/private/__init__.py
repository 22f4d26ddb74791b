"""The `private` phase kind: settings.py (light), spec.py (the registry hooks)."""
