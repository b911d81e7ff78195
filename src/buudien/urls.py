"""HTML routes and the API."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from buudien.api import api
from buudien.core import views as core_views
from buudien.core.permissions import public
from buudien.dossiers import views as dossier_views
from buudien.insurance import urls as insurance_urls
from buudien.mail.views import public as mail_public
from buudien.reports import insurance_targets

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", core_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("network/", include("buudien.network.urls")),
    path("counter/", include("buudien.counter.urls")),
    path("plans/", include("buudien.plans.urls")),
    path("reports/", include("buudien.reports.urls")),
    path("dossiers/", include("buudien.dossiers.urls")),
    path("payouts/", include("buudien.payouts.urls")),
    path("mail/", include("buudien.mail.urls")),
    # The insurance targets are read from the plans, above the insurance app: reports serves
    # them among the insurance pages.
    path(
        "bao-hiem/",
        include((insurance_urls.urlpatterns + insurance_targets.urlpatterns, "insurance")),
    ),
    path("sync/", include("buudien.sync.urls")),
    path("tra-cuu/", dossier_views.public_lookup, name="lookup"),
    *mail_public.urlpatterns,
    path("device/", include("buudien.sync.device_urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler403 = "buudien.core.views.forbidden"
handler404 = "buudien.core.views.not_found"
