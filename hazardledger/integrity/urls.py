from django.urls import path

from . import views

app_name = "integrity"

urlpatterns = [
    path("checkpoints/", views.CheckpointListView.as_view(), name="checkpoint-list"),
    path("checkpoints/create/", views.checkpoint_create_view, name="checkpoint-create"),
    path("checkpoints/import/", views.checkpoint_import_view, name="checkpoint-import"),
    path("checkpoints/<int:pk>/", views.CheckpointDetailView.as_view(), name="checkpoint-detail"),
    path("checkpoints/<int:pk>/export/", views.checkpoint_export_view, name="checkpoint-export"),
]
