"""Insurance pages under /bao-hiem/ (with the targets page, which `reports` serves: see
`buudien.urls`)."""

from buudien.insurance.views import counter, declarations, people, renewals

app_name = "insurance"
urlpatterns = [
    *people.urlpatterns,
    *counter.urlpatterns,
    *renewals.urlpatterns,
    *declarations.urlpatterns,
]
