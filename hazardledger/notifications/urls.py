from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notice_list_view, name="notice-list"),
    path("bell/", views.notice_bell, name="notice-bell"),
    path("read-all/", views.notice_read_all, name="notice-read-all"),
    path("preferences/", views.notice_preferences, name="notice-preferences"),
    path("<int:pk>/", views.notice_open, name="notice-open"),
    path("<int:pk>/read/", views.notice_read, name="notice-read"),
]
