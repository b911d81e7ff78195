from django.urls import path

from buudien.payouts import views

app_name = "payouts"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.upload, name="upload"),
    path("cashless/", views.cashless, name="cashless"),
    path("lists/<uuid:list_id>/", views.payout_list, name="list"),
    path("lists/<uuid:list_id>/close/", views.close, name="close"),
    path(
        "lists/<uuid:list_id>/reconciliation.<str:fmt>", views.reconciliation, name="reconciliation"
    ),
    path("lists/<uuid:list_id>/round/<str:code>/", views.home_round, name="round"),
    path("lists/<uuid:list_id>/settlement.xlsx", views.settlement, name="settlement"),
    path("lists/<uuid:list_id>/bank-results/", views.bank_results, name="bank_results"),
    path("beneficiaries/", views.beneficiaries, name="beneficiaries"),
    path("beneficiaries/<uuid:pk>/", views.beneficiary, name="beneficiary"),
    path("lines/<int:line_id>/pay/", views.pay, name="pay"),
    path("lines/<int:line_id>/return/", views.return_line, name="return"),
]
