from django.contrib import admin

from buudien.network.models import Commune, CommunePointProfile, Partner, PostUnit, Province


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "division_type")
    search_fields = ("name",)


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "division_type", "province")
    list_filter = ("province",)
    search_fields = ("search_text",)


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "kind", "served_by", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("search_text",)
    raw_id_fields = ("served_by",)


class ProfileInline(admin.StackedInline):  # type: ignore[type-arg]
    model = CommunePointProfile


@admin.register(PostUnit)
class PostUnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "kind", "status", "parent")
    list_filter = ("kind", "status")
    search_fields = ("search_text",)
    raw_id_fields = ("parent", "commune")
    inlines = (ProfileInline,)
