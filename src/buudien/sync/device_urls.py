from django.urls import path

from buudien.sync import device_views

app_name = "sync_device"
urlpatterns = [
    path("enroll", device_views.enroll, name="enroll"),
    path("push", device_views.push, name="push"),
    path("pull", device_views.pull_page, name="pull"),
]
