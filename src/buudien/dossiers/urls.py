from django.urls import path

from buudien.dossiers import views

app_name = "dossiers"
urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("new/", views.intake, name="intake"),
    path("batches/", views.batches, name="batches"),
    path("batches/<str:batch_code>/", views.batch_detail, name="batch"),
    path("batches/<str:batch_code>/action/", views.batch_action, name="batch_action"),
    path("outbox/", views.outbox, name="outbox"),
    path("report/", views.report, name="report"),
    path("procedures/", views.procedure_list, name="procedures"),
    path("complaints/", views.complaints, name="complaints"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/slip/", views.slip, name="slip"),
]
