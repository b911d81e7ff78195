from django.urls import path

from buudien.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("manual/upload/", views.manual_upload, name="manual_upload"),
    path("manual/template.xlsx", views.manual_template, name="manual_template"),
    path("<str:code>/", views.unit_plans, name="unit"),
    path("<str:code>/allocate/", views.allocate, name="allocate"),
    path("<str:code>/manual/", views.manual_sheet, name="manual"),
]
