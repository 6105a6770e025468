"""Django admin for contracts, read-only.

Every change goes through contracts.services so that it is validated, locked where
money moves, and recorded in the audit trail; the admin is for looking.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from weibao.contracts.models import Contract, DepositEntry


class DepositEntryInline(admin.TabularInline[DepositEntry, Contract]):
    model = DepositEntry
    fk_name = "contract"
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "amount", "balance_after", "reason", "reference", "approved_by", "actor")
    readonly_fields = ("created_at", "kind", "amount", "balance_after", "reason", "reference", "approved_by", "actor")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin[Contract]):
    list_display = ["number", "title", "client", "signed_on", "accepted_on", "warranty_months", "ends_on"]
    list_filter = ["service_hours", "client"]
    search_fields = ["number", "title", "client__name"]
    date_hierarchy = "signed_on"
    list_select_related = ["client"]
    inlines = [DepositEntryInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DepositEntry)
class DepositEntryAdmin(admin.ModelAdmin[DepositEntry]):
    list_display = ["contract", "kind", "amount", "balance_after", "reference", "created_at"]
    list_filter = ["kind"]
    search_fields = ["contract__number", "reference", "reason"]
    list_select_related = ["contract"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
