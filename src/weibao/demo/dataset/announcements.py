"""System announcements of the demo vendor: one to every client, one to the clients running a product."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from weibao.accounts.models import User
from weibao.announcements import services
from weibao.announcements.models import Announcement
from weibao.catalog.models import Product
from weibao.demo.dataset.catalog import COMMUNITY_PLATFORM
from weibao.demo.dataset.people import ADMIN_USERNAME


@dataclass(frozen=True)
class AnnouncementSpec:
    title: str
    body: str
    product: str | None = None
    pinned: bool = False


ANNOUNCEMENTS: tuple[AnnouncementSpec, ...] = (
    AnnouncementSpec(
        title="春节期间值班安排",
        body="<p>春节放假期间（2月6日至2月13日）服务台 7×24 小时值守，值班电话 0591-8765 4321。</p>"
        "<p>一级、二级故障请直接来电；其他问题可在服务门户提交工单，节后第一个工作日处理。</p>",
        pinned=True,
    ),
    AnnouncementSpec(
        title="社区综合服务平台 3.2 版升级通知",
        body="<p>本周六 22:00 至 24:00 升级社区综合服务平台，期间暂停登录。</p>"
        "<p>新版本修复了报表打印错位问题，并新增居民信息批量导出功能。</p>",
        product=COMMUNITY_PLATFORM,
    ),
)


def announcements_load(counts: Counter[str], present: Counter[str]) -> None:
    """Create and publish the missing demo announcements (by title)."""
    author = User.objects.get(username=ADMIN_USERNAME)
    existing = set(Announcement.objects.values_list("title", flat=True))
    for spec in ANNOUNCEMENTS:
        if spec.title in existing:
            present["announcements"] += 1
            continue
        product = Product.objects.filter(code=spec.product).first() if spec.product else None
        announcement = services.announcement_create(
            actor=author,
            title=spec.title,
            body=spec.body,
            audience=Announcement.Audience.PRODUCT if product else Announcement.Audience.ALL,
            product=product,
            pinned=spec.pinned,
        )
        services.announcement_publish(actor=author, announcement_id=announcement.pk)
        counts["announcements"] += 1
