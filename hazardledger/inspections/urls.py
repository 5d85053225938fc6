from django.urls import path

from . import views

app_name = "inspections"

urlpatterns = [
    path("", views.InspectionListView.as_view(), name="inspection-list"),
    path("start/<int:site_pk>/", views.InspectionStartView.as_view(), name="inspection-start"),
    path("sites/<int:site_pk>/qr.svg", views.site_start_qr, name="site-qr"),
    path("sync/<uuid:uuid>/", views.inspection_sync_view, name="inspection-sync"),
    path("<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("<int:pk>/begin/", views.inspection_begin, name="inspection-begin"),
    path("<int:pk>/conduct/", views.inspection_conduct, name="inspection-conduct"),
    path("<int:pk>/record.pdf", views.inspection_record_pdf, name="inspection-record"),
    path(
        "<int:pk>/signatures/<str:which>/", views.inspection_signature, name="inspection-signature"
    ),
    path("<int:pk>/recheck/<int:hazard_pk>/", views.recheck_decide_view, name="recheck-decide"),
    path("<int:pk>/recheck/finish/", views.recheck_finish_view, name="recheck-finish"),
    path("drafts/<int:pk>/", views.HazardDraftConfirmView.as_view(), name="draft-confirm"),
    path("drafts/<int:pk>/dismiss/", views.draft_dismiss, name="draft-dismiss"),
    path("photos/<int:pk>/", views.photo_file, name="photo-file"),
    path("checklists/", views.checklist_list, name="checklist-list"),
    path("checklists/upload/", views.ChecklistUploadView.as_view(), name="checklist-upload"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist-detail"),
    path("checklists/<int:pk>/download.toml", views.checklist_download, name="checklist-download"),
    path("draws/", views.draw_list_view, name="draw-list"),
    path("draws/add/", views.DrawCreateView.as_view(), name="draw-add"),
    path("draws/<int:pk>/", views.draw_detail, name="draw-detail"),
    path("draws/<int:pk>/perform/", views.draw_perform_view, name="draw-perform"),
    path("draws/<int:pk>/rerun/", views.draw_rerun, name="draw-rerun"),
]
