from django.urls import path

from buudien.counter import views

app_name = "counter"
urlpatterns = [
    path("", views.counter, name="page"),
    path("post/", views.post, name="post"),
    path("checkout/", views.checkout, name="checkout"),
    path("search/", views.search, name="search"),
    path("close/", views.close, name="close"),
    path("transactions/<uuid:transaction_id>/", views.transaction_receipt, name="transaction"),
    path(
        "transactions/<uuid:transaction_id>/receipt.pdf",
        views.transaction_pdf,
        name="transaction_pdf",
    ),
    path("entries/<uuid:entry_id>/reverse/", views.reverse, name="reverse"),
    path("entries/<uuid:entry_id>/receipt/", views.receipt, name="receipt"),
    path("entries/<uuid:entry_id>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<uuid:session_id>/", views.session_detail, name="session"),
    path("sessions/<uuid:session_id>/report/", views.session_report, name="report"),
    path("day/<str:code>/", views.day_closing, name="day"),
]
