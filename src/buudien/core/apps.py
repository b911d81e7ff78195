from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "buudien.core"
    label = "core"
    verbose_name = "Lõi hệ thống"
