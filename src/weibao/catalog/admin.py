from django.contrib import admin

from weibao.catalog.models import Product, Release


class ReleaseInline(admin.TabularInline[Release, Product]):
    model = Release
    extra = 0
    fields = ["version", "released_on", "notes"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["name", "code", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "code"]
    inlines = [ReleaseInline]


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin[Release]):
    list_display = ["product", "version", "released_on"]
    list_filter = ["product"]
    search_fields = ["version", "product__name"]
    list_select_related = ["product"]
