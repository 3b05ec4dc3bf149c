"""The JSON API under /api/ (django-ninja), its OpenAPI document at /api/openapi.json."""

from shopkpi.web.api.main import api

__all__ = ["api"]
