from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list_view, name="report-list"),
    path("add/", views.report_add, name="report-add"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/report.pdf", views.report_file, {"fmt": "pdf"}, name="report-pdf"),
    path("<int:pk>/report.xlsx", views.report_file, {"fmt": "xlsx"}, name="report-xlsx"),
    path("rankings/", views.ranking_view, name="ranking"),
    path("rankings/ranking.xlsx", views.ranking_export, {"fmt": "xlsx"}, name="ranking-xlsx"),
    path("rankings/ranking.pdf", views.ranking_export, {"fmt": "pdf"}, name="ranking-pdf"),
    path("returns/", views.return_list_view, name="return-list"),
    path("returns/export.xlsx", views.return_export, name="return-export"),
    path("returns/prepare/", views.return_prepare_view, name="return-prepare"),
    path("returns/<int:pk>/", views.return_detail, name="return-detail"),
    path("returns/<int:pk>/sign/", views.return_sign, name="return-sign"),
    path("returns/<int:pk>/return.pdf", views.return_pdf, name="return-pdf"),
    path("returns/<int:pk>/signature/", views.return_signature, name="return-signature"),
]
