from django.urls import path

from alarms import apis, views

app_name = "alarms"

urlpatterns = [path("report/", views.response_report, name="report")]

api_urlpatterns = [path("report/", apis.AlarmReportApi.as_view(), name="api-report")]
