from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "buudien.network"
    label = "network"
    verbose_name = "Mạng lưới bưu điện"
