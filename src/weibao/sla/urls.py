from django.urls import URLPattern, URLResolver, path

from weibao.sla import views

app_name = "sla"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("calendars/new/", views.calendar_create, name="calendar_create"),
    path("calendars/<int:pk>/", views.calendar_detail, name="calendar_detail"),
    path("calendars/<int:pk>/edit/", views.calendar_update, name="calendar_update"),
    path("calendars/<int:pk>/hours/", views.calendar_intervals, name="calendar_intervals"),
    path("calendars/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("calendars/<int:pk>/days/new/", views.calendar_day_set, name="calendar_day_set"),
    path("calendars/<int:pk>/extend/", views.calendar_extend, name="calendar_extend"),
    path("calendars/<int:pk>/year/", views.calendar_year, name="calendar_year"),
    path("calendar-days/<int:pk>/delete/", views.calendar_day_delete, name="calendar_day_delete"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", views.policy_update, name="policy_update"),
    path("policies/<int:pk>/delete/", views.policy_delete, name="policy_delete"),
    path("policies/<int:policy_pk>/targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/edit/", views.target_update, name="target_update"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("targets/<int:target_pk>/escalations/new/", views.escalation_create, name="escalation_create"),
    path("escalations/<int:pk>/edit/", views.escalation_update, name="escalation_update"),
    path("escalations/<int:pk>/delete/", views.escalation_delete, name="escalation_delete"),
]
