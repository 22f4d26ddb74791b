"""The `info` kind: text and an optional link; nothing to store."""

from __future__ import annotations

from ..base import PhaseKindSpec


class InfoSpec(PhaseKindSpec):
    name = "info"

    def client_settings(self, phase, lang, fallback="fi"):
        from ...workshop_models import localize

        s = phase.settings
        return {"link": s.link, "link_label": localize(s.link_label, lang, fallback) or s.link}


spec = InfoSpec()
