from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from buudien.core.models import ApiToken, AuditEvent, User


@admin.register(User)
class BuudienUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ("username", "full_name", "role", "home_unit", "partner", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        ("buudien", {"fields": ("role", "full_name", "phone", "home_unit", "partner")}),
    )
    raw_id_fields = ("home_unit",)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "actor_name", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "object_repr", "actor_name")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("digest", "prefix")
