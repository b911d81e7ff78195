from django.urls import path

from buudien.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<str:code>/", views.report, name="report"),
]
