from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    name = "buudien.insurance"
    label = "insurance"
    verbose_name = _("Đại lý BHXH tự nguyện, BHYT hộ gia đình")

    def ready(self) -> None:
        from buudien.insurance import operations, point_data

        operations.register()
        point_data.register()
