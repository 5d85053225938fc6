from django.urls import path

from . import views

app_name = "risks"

urlpatterns = [
    path("", views.RiskPointListView.as_view(), name="riskpoint-list"),
    path("export/", views.riskpoint_export, name="riskpoint-export"),
    path("calculator/", views.risk_calculator, name="calculator"),
    path("counts/", views.risk_counts, name="risk-counts"),
    path("inspections-due/", views.inspection_due_list, name="inspection-due-list"),
    path("sites/<int:site_pk>/", views.site_risk_list, name="site-risk-list"),
    path("sites/<int:site_pk>/add/", views.RiskPointCreateView.as_view(), name="riskpoint-add"),
    path(
        "sites/<int:site_pk>/inspected/",
        views.site_inspection_record_view,
        name="site-inspection-record",
    ),
    path("<int:pk>/", views.riskpoint_detail, name="riskpoint-detail"),
    path("<int:pk>/edit/", views.RiskPointUpdateView.as_view(), name="riskpoint-edit"),
    path("<int:pk>/assess/", views.RiskPointAssessView.as_view(), name="riskpoint-assess"),
    path("<int:pk>/card.pdf", views.riskpoint_card, name="riskpoint-card"),
    path("<int:pk>/photos/add/", views.PhotoAddView.as_view(), name="photo-add"),
    path("<int:point_pk>/controls/add/", views.ControlFormView.as_view(), name="control-add"),
    path("controls/<int:pk>/edit/", views.ControlFormView.as_view(), name="control-edit"),
    path("controls/<int:pk>/delete/", views.control_delete, name="control-delete"),
    path("photos/<int:pk>/", views.photo_file, name="photo-file"),
]
