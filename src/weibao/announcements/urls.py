from django.urls import URLPattern, URLResolver, path

from weibao.announcements import views

app_name = "announcements"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.announcement_list, name="list"),
    path("new/", views.announcement_create, name="create"),
    path("<int:pk>/", views.announcement_detail, name="detail"),
    path("<int:pk>/edit/", views.announcement_update, name="update"),
    path("<int:pk>/step/", views.announcement_step, name="step"),
]
