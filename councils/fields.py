"""Model fields shared by the apps."""

from django.conf import settings
from django.db import models


def user_fk(on_delete, related_name: str = "+", **options) -> models.ForeignKey:
    """A foreign key to a user (who recorded, owns or changed something); no reverse accessor
    unless ``related_name`` names one. Deconstructs exactly as the ForeignKey written out."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=on_delete, related_name=related_name, **options
    )
