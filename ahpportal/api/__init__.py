"""The analyst REST API under /api/v1/, by topic (on NetBox's ``netbox/api/`` model).

* :mod:`.authentication`: ``Authorization: Bearer <token>`` with a personal API token;
* :mod:`.throttling`: one rate per API token, one per signed-in browser user;
* :mod:`.exceptions`: every error as RFC 9457 problem details;
* :mod:`.renderers`: CSV (formula-safe cells, streamed through :mod:`workforce.csv_safety`);
* :mod:`.pagination`: cursor pagination;
* :mod:`.conditional`: ETag / Last-Modified and 304 Not Modified;
* :mod:`.schema`: the OpenAPI schema's problem responses and documented examples;
* :mod:`.filters`: filters shared by the resources;
* :mod:`.viewsets`: the scoped base viewset every resource extends;
* :mod:`.resources`: the one registry of resources (router, API root, isolation matrix);
* :mod:`.views` and :mod:`.urls`: the API root, the schema and documentation, unknown URLs.

Concrete viewsets live in each app's ``api`` module and only name their queryset, serializer and
filterset. The settings (``REST_FRAMEWORK``, ``SPECTACULAR_SETTINGS``) are in
``ahpportal/settings.py``; this package imports nothing here, because DRF reads those settings
while its generic views are being imported.
"""
