from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("children/", views.region_children_options, name="region-children"),
]
