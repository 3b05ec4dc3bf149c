"""The NinjaAPI instance: bearer-token auth everywhere but POST /api/token, errors mapped in errors.py.

No interactive docs page: ninja's would load Swagger UI from a CDN, and shopkpi never loads
front-end code from a CDN at run time. The OpenAPI document is at /api/openapi.json.
"""

from __future__ import annotations

from ninja import NinjaAPI

from shopkpi.web.api import (
    actions,
    approval_chain,
    errors,
    incidents,
    month,
    organisation,
    people,
    reviews,
    session,
    token_list,
)
from shopkpi.web.api.auth import BearerToken

api = NinjaAPI(
    title="shopkpi API",
    version="1",
    description="Monthly performance appraisal: reviews, the organisation, the review workflow and the company's months (cycles, imports, pay sheet).",
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
    auth=BearerToken(),
)
errors.install(api)
api.add_router("", session.router)
api.add_router("", token_list.router)
api.add_router("", people.router)
api.add_router("", organisation.router)
api.add_router("", approval_chain.router)
api.add_router("", reviews.router)
api.add_router("", actions.router)
api.add_router("", month.router)
api.add_router("", incidents.router)
