from django.urls import path

from buudien.counter import views

app_name = "counter"
urlpatterns = [
    path("", views.counter, name="page"),
    path("post/", views.post, name="post"),
    path("close/", views.close, name="close"),
    path("entries/<uuid:entry_id>/reverse/", views.reverse, name="reverse"),
    path("entries/<uuid:entry_id>/receipt/", views.receipt, name="receipt"),
    path("entries/<uuid:entry_id>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<uuid:session_id>/", views.session_detail, name="session"),
    path("day/<str:code>/", views.day_closing, name="day"),
]
