from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "buudien.mail"
    label = "mail"
    verbose_name = _("Bưu chính chuyển phát")

    def ready(self) -> None:
        from buudien.mail import operations, point_data

        operations.register()
        point_data.register()
