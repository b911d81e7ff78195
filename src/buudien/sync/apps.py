from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "buudien.sync"
    label = "sync"
    verbose_name = _("Đồng bộ điểm BĐ-VHX")
