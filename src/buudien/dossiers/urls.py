from django.urls import path

from buudien.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("lookup/", views.public_lookup, name="lookup"),
]
