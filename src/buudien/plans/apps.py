from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "buudien.plans"
    label = "plans"
    verbose_name = "Kế hoạch và chỉ tiêu"
