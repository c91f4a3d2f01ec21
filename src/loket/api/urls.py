"""The API's URLs under /api/v1/ (included by the root URL map): the operations, the OpenAPI
document at openapi.json and its browsable docs at docs."""

from django.urls import path
from ninja import NinjaAPI

from . import case_search, errors, public, staff, training

api = NinjaAPI(
    title="Loket API",
    version="1",
    urls_namespace="api",
    description=(
        "Account-service requests of the procurement units (LPSE/UKPBJ): the services on offer, "
        "handing in and following a request, and for staff with an API token their work queue, "
        "decisions and the training of registrations. Every error answers `{detail, problems}`; messages are in Indonesian."
    ),
)
errors.install(api)
api.add_router("", public.router)
api.add_router("", staff.router)
api.add_router("", case_search.router)
api.add_router("", training.router)

urlpatterns = [path("", api.urls)]
