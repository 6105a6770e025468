from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weibao.core.models import JobRun, ScheduledJob


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin[ScheduledJob]):
    """Jobs are registered in code; an administrator may only move the next run."""

    list_display = ["name", "interval_seconds", "next_run_at", "last_status", "last_finished_at", "run_count"]
    list_filter = ["last_status"]
    search_fields = ["name"]
    readonly_fields = [
        "name",
        "interval_seconds",
        "last_started_at",
        "last_finished_at",
        "last_status",
        "last_error",
        "run_count",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin[JobRun]):
    list_display = ["job", "due_at", "started_at", "finished_at", "status", "worker"]
    list_filter = ["status", "job"]
    date_hierarchy = "started_at"
    list_select_related = ["job"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
