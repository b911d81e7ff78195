from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounterConfig(AppConfig):
    name = "buudien.counter"
    label = "counter"
    verbose_name = _("Giao dịch tại quầy")

    def ready(self) -> None:
        from buudien.counter import operations

        operations.register()
        from buudien.counter import point_data

        point_data.register()
