"""Settings of the `info` phase kind, as a template writes them (no app imports)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import StringConstraints, field_validator

from ..settings_base import TEXT_LIMITS, Strict, custom_error, limited_text

__all__ = ["InfoSettings"]

# Settings fields a template may let the facilitator fill in when preparing a session.
PREPARABLE: tuple[str, ...] = ("link", "link_label")

LinkLabelText = limited_text("link_label")


class InfoSettings(Strict):
    """Settings of an info phase."""

    link: Annotated[str, StringConstraints(max_length=TEXT_LIMITS["link"])] | None = None
    link_label: LinkLabelText | None = None

    @field_validator("link")
    @classmethod
    def _check_link(cls, value: str | None) -> str | None:
        """Accept only absolute http(s) links."""
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise custom_error("link must be an http:// or https:// URL")
        return value


SETTINGS = InfoSettings
