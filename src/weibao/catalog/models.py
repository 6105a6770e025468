from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from weibao.core.models import TimeStampedModel


class ProductQuerySet(models.QuerySet["Product"]):
    def search(self, term: str) -> ProductQuerySet:
        if not term:
            return self
        return self.filter(models.Q(name__icontains=term) | models.Q(code__icontains=term))


class Product(TimeStampedModel):
    """A software product the vendor delivers and maintains (e.g. 社区综合服务平台)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(
        _("code"), max_length=50, unique=True, help_text=_("Short identifier, letters, digits and dashes.")
    )
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in service"), default=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Release(TimeStampedModel):
    """One released version of a product."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="releases", verbose_name=_("product"))
    version = models.CharField(_("version"), max_length=50)
    released_on = models.DateField(_("release date"))
    notes = models.TextField(_("release notes"), blank=True)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        ordering = ["product__name", "-released_on", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="release_version_unique_per_product"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.version}"
