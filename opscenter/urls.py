from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from alarms import urls as alarms_urls
from appeals import urls as appeals_urls
from bracelets import urls as bracelets_urls
from cameras import urls as cameras_urls
from opscenter import views, views_supervisor
from opscenter.apis import alerts, incidents, maplayers, saved_views, units
from opscenter.apis.docs import ApiDocsView

api_v1: list[URLPattern | URLResolver] = [
    path("alerts/", alerts.AlertListApi.as_view(), name="alert-list"),
    path("alerts/<int:alert_pk>/", alerts.AlertDetailApi.as_view(), name="alert-detail"),
    path("alerts/<int:alert_pk>/acknowledge/", alerts.AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
    path("alerts/<int:alert_pk>/dispatch/", alerts.AlertDispatchApi.as_view(), name="alert-dispatch"),
    path("alerts/<int:alert_pk>/resolve/", alerts.AlertResolveApi.as_view(), name="alert-resolve"),
    path("alerts/<int:alert_pk>/comment/", alerts.AlertCommentApi.as_view(), name="alert-comment"),
    path("alerts/<int:alert_pk>/details/", alerts.AlertDetailsApi.as_view(), name="alert-details"),
    path("views/", saved_views.SavedViewListApi.as_view(), name="saved-view-list"),
    path("views/<int:view_pk>/", saved_views.SavedViewDeleteApi.as_view(), name="saved-view-delete"),
    path("map/layers/<slug:key>/", maplayers.MapLayerFeaturesApi.as_view(), name="map-layer"),
    path("units/", units.UnitListApi.as_view(), name="unit-list"),
    path("units/<int:unit_pk>/status/", units.UnitStatusSetApi.as_view(), name="unit-status"),
    re_path(r"^units/osmand/?$", units.UnitOsmAndApi.as_view(), name="unit-osmand"),
    path("assignments/<int:assignment_pk>/clear/", units.AssignmentClearApi.as_view(), name="assignment-clear"),
    path("tablet/", units.TabletApi.as_view(), name="tablet-units"),
    path("tablet/assignments/<int:assignment_pk>/accept/", units.TabletAcceptApi.as_view(), name="tablet-accept"),
    path("tablet/assignments/<int:assignment_pk>/arrive/", units.TabletArriveApi.as_view(), name="tablet-arrive"),
    path("tablet/assignments/<int:assignment_pk>/clear/", units.TabletClearApi.as_view(), name="tablet-clear"),
    path("incidents/", incidents.IncidentListApi.as_view(), name="incident-list"),
    path("incidents/create/", incidents.IncidentCreateApi.as_view(), name="incident-create"),
    path("incidents/<int:incident_pk>/", incidents.IncidentDetailApi.as_view(), name="incident-detail"),
    path("incidents/<int:incident_pk>/link/", incidents.IncidentLinkApi.as_view(), name="incident-link"),
    path("incidents/<int:incident_pk>/unlink/", incidents.IncidentUnlinkApi.as_view(), name="incident-unlink"),
    path(
        "incidents/<int:incident_pk>/acknowledge/",
        incidents.IncidentAcknowledgeApi.as_view(),
        name="incident-acknowledge",
    ),
    path("incidents/<int:incident_pk>/resolve/", incidents.IncidentResolveApi.as_view(), name="incident-resolve"),
    path("alarms/", include((alarms_urls.api_urlpatterns, "alarms-api"))),
    path("tracking/", include((bracelets_urls.api_urlpatterns, "tracking"))),
    path("cameras/", include((cameras_urls.api_urlpatterns, "cameras-api"))),
    path("partner/", include((appeals_urls.partner_api_urlpatterns, "appeals-api"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # A person who is not signed in is sent to the login page; the schema itself answers 403.
    path("docs/", login_required(ApiDocsView.as_view(url_name="schema")), name="api-docs"),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tablet/", views.tablet, name="tablet"),
    path("healthz", views.healthz, name="healthz"),
    path("wallboard/", views_supervisor.wallboard_page, name="wallboard"),
    path("shift-log/", views_supervisor.shift_log, name="shift-log"),
    path(
        "shift-log/<int:note_pk>/acknowledge/",
        views_supervisor.shift_note_acknowledge_view,
        name="shift-note-acknowledge",
    ),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("language/", views.language_set, name="language-set"),
    path("alarms/", include("alarms.urls")),
    path("bracelets/", include("bracelets.urls")),
    path("cameras/", include("cameras.urls")),
    path("appeals/", include("appeals.urls")),
    path("open311/v2/", include((appeals_urls.open311_urlpatterns, "open311"))),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
]
