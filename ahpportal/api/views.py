"""The API root (links to every resource of :data:`.resources.RESOURCES`) and the problem for
an unknown URL under /api/v1/."""

from __future__ import annotations

from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from .exceptions import problem_response
from .resources import RESOURCES
from .schema import EXAMPLE_ORIGIN, response_example


class ApiRootSerializer(serializers.Serializer):
    resources = serializers.DictField(child=serializers.URLField())
    reference = serializers.URLField()
    docs = serializers.URLField()
    schema = serializers.URLField()


ROOT_EXAMPLE = {
    "resources": {r.key: f"{EXAMPLE_ORIGIN}/api/v1/{r.prefix}/" for r in RESOURCES},
    "reference": f"{EXAMPLE_ORIGIN}/api/v1/reference/",
    "docs": f"{EXAMPLE_ORIGIN}/api/v1/docs/",
    "schema": f"{EXAMPLE_ORIGIN}/api/v1/schema/",
}


@extend_schema(
    summary="The API's resources",
    description=(
        "Links to each resource, the schema, the API reference and the interactive documentation."
    ),
    responses=ApiRootSerializer,
    examples=[response_example("The resources", ROOT_EXAMPLE)],
)
@api_view(["GET"])
def api_root(request):
    def link(name):
        return request.build_absolute_uri(reverse(name))

    return Response(
        {
            "resources": {r.key: link(r.list_name) for r in RESOURCES},
            "reference": link("api-reference"),
            "docs": link("api-docs"),
            "schema": link("api-schema"),
        }
    )


@csrf_exempt  # it writes nothing; a POST to an unknown URL is a 404 problem, not a CSRF page
def not_found(request, *args, **kwargs):
    """Any unknown URL under /api/v1/ as a problem, not an HTML page."""
    return problem_response(404, "There is no such API endpoint; see /api/v1/reference/.")
