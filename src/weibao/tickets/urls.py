"""Staff pages of the service desk: queues, request pages, hotline intake."""

from django.urls import path  # noqa: F401 - patterns are added here

app_name = "tickets"

urlpatterns: list = []  # type: ignore[type-arg]
