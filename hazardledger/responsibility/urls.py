from django.urls import path

from . import views

app_name = "responsibility"

urlpatterns = [
    path("", views.EntryListView.as_view(), name="entry-list"),
    path("add/", views.entry_edit, name="entry-add"),
    path("<int:pk>/edit/", views.entry_edit, name="entry-edit"),
    path("<int:pk>/delete/", views.entry_delete_view, name="entry-delete"),
    path("export/", views.entry_export, name="entry-export"),
    path("import/", views.entry_import_view, name="entry-import"),
    path("import/template/", views.entry_import_template, name="entry-import-template"),
    path("accountability/", views.accountability_view, name="accountability"),
    path("accountability/export/", views.accountability_export, name="accountability-export"),
    path("hazards/<int:hazard_pk>/urge/", views.hazard_urge_view, name="hazard-urge"),
    path("hazards/<int:hazard_pk>/enforcement/", views.hazard_decide_view, name="hazard-decide"),
]
