from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "buudien.reports"
    label = "reports"
    verbose_name = "Báo cáo"
