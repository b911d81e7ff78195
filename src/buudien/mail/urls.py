"""Mail pages under /mail/ (the public tracking page is mounted at the site's root)."""

from buudien.mail.views import counter, delivery, network, ordinary

app_name = "mail"
urlpatterns = [
    *counter.urlpatterns,
    *delivery.urlpatterns,
    *network.urlpatterns,
    *ordinary.urlpatterns,
]
