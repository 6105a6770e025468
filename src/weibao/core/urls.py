from django.urls import path

from weibao.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("area/<slug:area>/", views.area, name="area"),
    path("healthz", views.healthz, name="healthz"),
]
