from django.contrib import admin
from django.urls import include, path

from hazardledger.reporting import views as reporting_views

urlpatterns = [
    # The overview: the dashboard of the user's scope (reporting, issue 15).
    path("", reporting_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("hazardledger.accounts.urls")),
    path("sites/", include("hazardledger.registry.urls")),
    path("hazards/", include("hazardledger.hazards.urls")),
    path("inspections/", include("hazardledger.inspections.urls")),
    path("supervision/", include("hazardledger.supervision.urls")),
    path("risks/", include("hazardledger.risks.urls")),
    path("notifications/", include("hazardledger.notifications.urls")),
    path("dashboard/", include("hazardledger.reporting.urls")),
    path("reports/", include("hazardledger.reports.urls")),
    path("integrity/", include("hazardledger.integrity.urls")),
    path("responsibility/", include("hazardledger.responsibility.urls")),
    path("campaigns/", include("hazardledger.campaigns.urls")),
    path("admin/", admin.site.urls),
]
# No route serves MEDIA_ROOT, not even with DEBUG on: every upload goes through a view that
# checks the user's scope first (hazardledger/core/uploads.py).
