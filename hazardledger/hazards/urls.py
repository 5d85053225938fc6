from django.urls import path

from . import views

app_name = "hazards"

urlpatterns = [
    path("", views.HazardListView.as_view(), name="hazard-list"),
    path("add/", views.HazardCreateView.as_view(), name="hazard-add"),
    path("export/", views.hazard_export, name="hazard-export"),
    path("queue/", views.hazard_queue_view, name="hazard-queue"),
    path("duplicates/", views.hazard_duplicates, name="hazard-duplicates"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="hazard-detail"),
    path("<int:pk>/<slug:action>/", views.hazard_act, name="hazard-act"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence-file"),
    path(
        "evidence/<int:pk>/thumbnail/",
        views.evidence_file,
        {"thumbnail": True},
        name="evidence-thumbnail",
    ),
    path("report/", views.QuickReportCreateView.as_view(), name="report-add"),
    path("reports/", views.QuickReportListView.as_view(), name="report-list"),
    path("reports/<int:pk>/", views.QuickReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:pk>/accept/", views.quick_report_accept_view, name="report-accept"),
    path("reports/<int:pk>/reject/", views.quick_report_reject_view, name="report-reject"),
]
