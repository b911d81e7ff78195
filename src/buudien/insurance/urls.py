"""Insurance pages under /bao-hiem/."""

from buudien.insurance.views import counter, declarations, people, renewals

app_name = "insurance"
urlpatterns = [
    *people.urlpatterns,
    *counter.urlpatterns,
    *renewals.urlpatterns,
    *declarations.urlpatterns,
]
