from django.urls import path

from buudien.sync import views

app_name = "sync"
urlpatterns = [
    path("", views.status, name="status"),
    path("devices/", views.devices, name="devices"),
    path("devices/<uuid:device_id>/", views.device, name="device"),
    path("devices/<uuid:device_id>/revoke/", views.revoke, name="revoke"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("conflicts/<uuid:conflict_id>/resolve/", views.resolve, name="resolve"),
]
