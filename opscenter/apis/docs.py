"""The API's documentation for people who are signed in: Redoc from the drf-spectacular sidecar (served
by us, no CDN) over the schema at /api/v1/schema/, which needs a login too (SPECTACULAR_SETTINGS)."""

from drf_spectacular.views import SpectacularRedocView


class ApiDocsView(SpectacularRedocView):
    # Our own page: the library's loads web fonts from Google.
    template_name = "opscenter/api_docs.html"
