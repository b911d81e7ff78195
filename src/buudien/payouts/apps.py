from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "buudien.payouts"
    label = "payouts"
    verbose_name = "Chi trả lương hưu, trợ cấp"
