from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "buudien.network"
    label = "network"
    verbose_name = _("Mạng lưới bưu điện")

    def ready(self) -> None:
        from buudien.network import point_data

        point_data.register()
