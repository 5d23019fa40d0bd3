"""The base viewset restricts its queryset by action in ``initial()``: a viewset that overrides
``get_queryset`` (from scratch, or building on the base's) still reads only its scope."""

import pytest
from rest_framework.test import APIRequestFactory, force_authenticate

from ahpportal.api.viewsets import ScopedViewSet
from delivery.api import DeliveryPlanViewSet
from tests.api.conftest import seed_delivery


class FromScratch(DeliveryPlanViewSet):
    """Forgets the base entirely: every plan of England (with what the serializer reads)."""

    def get_queryset(self):
        return DeliveryPlanViewSet.queryset.all()


class BuildsOnTheBase(DeliveryPlanViewSet):
    def get_queryset(self):
        return super().get_queryset().filter(title__isnull=False)


class Deeper(FromScratch):
    """A subclass of a subclass, overriding again."""

    def get_queryset(self):
        return DeliveryPlanViewSet.queryset.order_by("-pk")


@pytest.fixture
def plans(tree, make_user):
    return {code: seed_delivery(tree[code], make_user) for code in ("QF7", "QWO")}


def call(viewset, user, action, **kwargs):
    request = APIRequestFactory().get("/api/v1/delivery-plans/", {"page_size": 100})
    force_authenticate(request, user=user)
    return viewset.as_view({"get": action})(request, **kwargs)


@pytest.mark.parametrize("viewset", [FromScratch, BuildsOnTheBase, Deeper])
def test_an_override_of_get_queryset_is_still_scoped(viewset, plans, tree, make_user):
    holder = make_user("analyst", tree["QWO"])
    own, sibling = plans["QWO"], plans["QF7"]

    assert call(viewset, holder, "retrieve", pk=own.pk).status_code == 200
    assert call(viewset, holder, "retrieve", pk=sibling.pk).status_code == 404

    listed = call(viewset, holder, "list")
    assert listed.status_code == 200
    ids = {row["id"] for row in listed.data["results"]}
    assert own.pk in ids
    assert sibling.pk not in ids


def test_every_override_in_the_project_is_wrapped():
    """Every concrete viewset's own get_queryset goes through the base's scope check."""
    from ahpportal.api.resources import RESOURCES

    for resource in RESOURCES:
        viewset = resource.viewset
        if issubclass(viewset, ScopedViewSet) and "get_queryset" in vars(viewset):
            assert getattr(viewset.get_queryset, "keeps_scope", False), viewset
