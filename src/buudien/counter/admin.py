from django.contrib import admin

from buudien.counter.models import CounterSession, Service, Tariff


class TariffInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Tariff
    extra = 1


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "line", "kind", "partner", "unit_kinds", "is_active")
    list_filter = ("line", "kind", "is_active")
    search_fields = ("search_text",)
    inlines = (TariffInline,)


@admin.register(CounterSession)
class CounterSessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("business_date", "unit", "clerk", "status", "revenue")
    list_filter = ("status",)
    raw_id_fields = ("unit", "clerk", "approved_by")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
