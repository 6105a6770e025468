from django.urls import URLPattern, URLResolver, path

from weibao.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/new/", views.channel_create, name="channel_create"),
    path("channels/<int:pk>/", views.channel_update, name="channel_update"),
    path("channels/<int:pk>/delete/", views.channel_delete, name="channel_delete"),
    path("rules/", views.rules, name="rules"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/<str:event>/<str:language>/", views.template_edit, name="template_edit"),
    path("deliveries/", views.delivery_list, name="delivery_list"),
]
