"""The client portal: a client's own requests, replies, sign-offs and ratings."""

from django.urls import path  # noqa: F401 - patterns are added here

app_name = "portal"

urlpatterns: list = []  # type: ignore[type-arg]
