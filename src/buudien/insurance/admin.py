"""The insurance reference data in the back office: a change of law is a new dated row."""

from django.contrib import admin

from buudien.insurance.models import BaseSalary, PaymentMode, Scheme, SchemeRule, Support


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "agency", "service_code", "declaration_form")
    raw_id_fields = ("agency",)


@admin.register(SchemeRule)
class SchemeRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "scheme",
        "valid_from",
        "contribution_bp",
        "income_floor",
        "ceiling_base_multiple",
        "source",
    )
    list_filter = ("scheme",)
    date_hierarchy = "valid_from"


@admin.register(BaseSalary)
class BaseSalaryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("valid_from", "amount", "source")


@admin.register(Support)
class SupportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "scheme",
        "category",
        "valid_from",
        "share_bp",
        "limit_months",
        "needs_evidence",
        "source",
    )
    list_filter = ("scheme", "category")


@admin.register(PaymentMode)
class PaymentModeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "scheme",
        "code",
        "valid_from",
        "months_min",
        "months_max",
        "months_step",
        "source",
    )
    list_filter = ("scheme", "code")
