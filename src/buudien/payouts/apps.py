from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayoutsConfig(AppConfig):
    name = "buudien.payouts"
    label = "payouts"
    verbose_name = _("Chi trả lương hưu, trợ cấp")

    def ready(self) -> None:
        from buudien.payouts import operations

        operations.register()
        from buudien.payouts import basket

        basket.register()
        from buudien.payouts import point_data

        point_data.register()
