from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list_view, name="campaign-list"),
    path("new/", views.campaign_create, name="campaign-add"),
    path("new/template/", views.campaign_from_template, name="campaign-template"),
    path("tasks/", views.my_task_list, name="my-tasks"),
    path("tasks/<int:pk>/inspect/", views.task_inspect_view, name="task-inspect"),
    path("<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("<int:pk>/directive/", views.campaign_directive, name="campaign-directive"),
    path("<int:pk>/take-up/", views.campaign_take_up_view, name="campaign-take-up"),
    path("<int:pk>/tasks/", views.campaign_task_list, name="campaign-tasks"),
    path("<int:pk>/tasks/assign/", views.campaign_assign, name="campaign-assign"),
    path("<int:pk>/draw/", views.campaign_draw_view, name="campaign-draw"),
    path("<int:pk>/hazards/", views.campaign_hazards, name="campaign-hazards"),
    path("<int:pk>/progress.xlsx", views.campaign_export_xlsx, name="campaign-xlsx"),
    path("<int:pk>/progress.pdf", views.campaign_export_pdf, name="campaign-pdf"),
    path("<int:pk>/circulars/new/", views.circular_create, name="circular-add"),
    path("circulars/<int:pk>/", views.circular_detail, name="circular-detail"),
    path("reports/<int:pk>/<str:fmt>/", views.campaign_report_file, name="report-file"),
]
