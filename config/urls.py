from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from hazardledger.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("hazardledger.accounts.urls")),
    path("sites/", include("hazardledger.registry.urls")),
    path("hazards/", include("hazardledger.hazards.urls")),
    path("inspections/", include("hazardledger.inspections.urls")),
    path("risks/", include("hazardledger.risks.urls")),
    path("admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
