from django.urls import path, register_converter

from . import views


class RegionCodeConverter:
    """A division code in a path: 2 to 12 digits (whether it is one is the view's to say)."""

    regex = "[0-9]{2,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(RegionCodeConverter, "region")

app_name = "reporting"
urlpatterns = [
    path("enterprise/charts.json", views.enterprise_charts, name="enterprise-charts"),
    path("<region:region>/", views.region_dashboard, name="dashboard"),
    path("<region:region>/charts.json", views.dashboard_charts, name="dashboard-charts"),
    path("<region:region>/map.json", views.dashboard_map, name="dashboard-map"),
]
