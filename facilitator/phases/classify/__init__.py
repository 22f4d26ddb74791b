"""The `classify` phase kind: settings.py (light), spec.py (the registry hooks)."""
