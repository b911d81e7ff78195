"""The roles a user may have; what each may do is `core.permissions`."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị hệ thống")
    PROVINCE_MANAGER = "province_manager", _("Quản lý bưu điện tỉnh")
    AREA_MANAGER = "area_manager", _("Quản lý bưu điện khu vực")
    CLERK = "clerk", _("Nhân viên điểm giao dịch")
    PARTNER_OFFICER = "partner_officer", _("Cán bộ cơ quan đối tác")
    AUDITOR = "auditor", _("Kiểm soát viên (chỉ xem)")
