"""The workshop templates this server offers, loaded once from MODELS_DIR."""

import logging

from flask import current_app

from .workshop_models import WorkshopModel, load_models

log = logging.getLogger(__name__)


def available_models() -> dict[str, WorkshopModel]:
    """Return the valid templates by id; broken files are logged and left out."""
    cache = current_app.extensions.setdefault("workshop_models", {})
    if "models" not in cache:
        models, errors = load_models(current_app.config["MODELS_DIR"])
        for error in errors:
            log.error("workshop template skipped: %s", error)
        cache["models"] = models
    return cache["models"]
