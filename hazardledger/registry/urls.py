from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("", views.SiteListView.as_view(), name="site-list"),
    path("add/", views.SiteCreateView.as_view(), name="site-add"),
    path("export/", views.site_export, name="site-export"),
    path("import/", views.SiteImportView.as_view(), name="site-import"),
    path("import/template/", views.site_import_template, name="site-import-template"),
    path("import/confirm/", views.site_import_confirm, name="site-import-confirm"),
    path("organisations/", views.organisation_options, name="organisation-options"),
    path("<int:pk>/", views.SiteDetailView.as_view(), name="site-detail"),
    path("<int:pk>/edit/", views.SiteUpdateView.as_view(), name="site-edit"),
    path("<int:pk>/qr.svg", views.site_qr, name="site-qr"),
]
