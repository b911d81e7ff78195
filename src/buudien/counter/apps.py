from django.apps import AppConfig


class CounterConfig(AppConfig):
    name = "buudien.counter"
    label = "counter"
    verbose_name = "Giao dịch tại quầy"
