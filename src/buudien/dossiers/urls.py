from django.urls import path

from buudien.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("batches/", views.batches, name="batches"),
    path("batches/new/", views.batch_open, name="batch_open"),
    path("batches/<str:batch_code>/", views.batch_detail, name="batch"),
    path("batches/<str:batch_code>/send/", views.batch_send, name="batch_send"),
    path("batches/<str:batch_code>/confirm/", views.batch_confirm, name="batch_confirm"),
    path("batches/<str:batch_code>/arrival/", views.batch_arrival, name="batch_arrival"),
    path("outbox/", views.outbox, name="outbox"),
    path("report/", views.report, name="report"),
    path("procedures/", views.procedure_list, name="procedures"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/new/", views.complaint_file, name="complaint_file"),
    path("complaints/<uuid:pk>/resolve/", views.complaint_resolve, name="complaint_resolve"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/agency-step/", views.agency_step, name="agency_step"),
    path("<str:code>/slip/", views.slip, name="slip"),
]
