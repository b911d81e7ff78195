from django.urls import path

from buudien.network import views

app_name = "network"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("export.xlsx", views.unit_export, name="export"),
    path("overview/", views.overview, name="overview"),
    path("new/", views.unit_create, name="create"),
    path("import/", views.point_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<str:code>/", views.unit_detail, name="detail"),
    path("<str:code>/edit/", views.unit_edit, name="edit"),
]
