"""The `small_groups` phase kind: settings.py (light), spec.py (the registry hooks)."""
