"""Knowledge-base articles of the demo vendor, and the search index filled for the demo's requests."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from weibao.accounts.models import User
from weibao.catalog.models import Product
from weibao.demo.dataset.catalog import COMMUNITY_PLATFORM, GOV_OFFICE
from weibao.demo.dataset.people import ADMIN_USERNAME
from weibao.knowledge import services
from weibao.knowledge.models import Article
from weibao.knowledge.search.reconcile import reconcile


@dataclass(frozen=True)
class ArticleSpec:
    title: str
    kind: str
    body: str
    workaround: str = ""
    product: str | None = None
    client_visible: bool = True
    publish: bool = True


ARTICLES: tuple[ArticleSpec, ...] = (
    ArticleSpec(
        title="登录页面白屏的处理方法",
        kind=Article.Kind.FAQ,
        product=COMMUNITY_PLATFORM,
        body="现象：打开社区综合服务平台后页面空白（白屏），刷新无效。\n"
        "原因：浏览器缓存了旧版本的前端资源，或使用了不受支持的 IE 浏览器。\n"
        "处理：按 Ctrl+F5 强制刷新，或清除浏览器缓存；请使用 Chrome、Edge 或 360 极速模式。",
    ),
    ArticleSpec(
        title="Nginx 502 错误（Bad Gateway）",
        kind=Article.Kind.KNOWN_ERROR,
        product=COMMUNITY_PLATFORM,
        body="现象：访问平台时提示 502 Bad Gateway。\n原因：应用服务（Tomcat）未启动或响应超时，Nginx 无法连接上游。",
        workaround="登录应用服务器执行 systemctl status tomcat 检查状态，必要时重启；"
        "如频繁出现，将 proxy_read_timeout 调整为 120s 并联系运维工程师排查慢查询。",
        client_visible=False,
    ),
    ArticleSpec(
        title="服务器宕机后的恢复步骤",
        kind=Article.Kind.HOWTO,
        body="1. 确认机房供电和网络正常；\n2. 按 数据库 → 中间件 → 应用 的顺序启动服务；\n"
        "3. 检查 Oracle 监听（ORA-12541 表示监听未启动，执行 lsnrctl start）；\n4. 在巡检记录中登记宕机时间和原因。",
        client_visible=False,
    ),
    ArticleSpec(
        title="忘记密码或账号被锁定怎么办",
        kind=Article.Kind.FAQ,
        body="连续输错密码 5 次后账号会锁定 30 分钟。可在登录页点击“忘记密码”通过手机短信重置，"
        "或联系本单位管理员在“用户管理”中解锁。",
    ),
    ArticleSpec(
        title="政务外网访问缓慢排查",
        kind=Article.Kind.HOWTO,
        product=GOV_OFFICE,
        body="先用 ping 和 tracert 检查到政务外网网关的延迟和丢包；确认网闸、防火墙策略未变更；"
        "如仅个别终端缓慢，检查终端网卡和杀毒软件。网络问题请同时联系运营商。",
    ),
    ArticleSpec(
        title="社区综合服务平台 3.2.0 版本说明",
        kind=Article.Kind.RELEASE_NOTE,
        product=COMMUNITY_PLATFORM,
        body="1. 新增居民事项线上预约；\n2. 人口信息导入支持 Excel 2016 格式；\n"
        "3. 修复统计报表导出 PDF 中文乱码的问题。",
    ),
    ArticleSpec(
        title="证书过期导致 HTTPS 无法访问",
        kind=Article.Kind.KNOWN_ERROR,
        body="现象：浏览器提示“您的连接不是私密连接”，证书已过期。",
        workaround="更换新的 SSL 证书文件并执行 nginx -s reload；证书到期前 30 天会在巡检中提醒。",
        publish=False,
    ),
)


def knowledge_load(counts: Counter[str], present: Counter[str]) -> None:
    """Create the missing demo articles (by title), then bring the search index in step with the requests."""
    author = User.objects.get(username=ADMIN_USERNAME)
    products = {p.code: p for p in Product.objects.all()}
    existing = set(Article.objects.values_list("title", flat=True))
    for spec in ARTICLES:
        if spec.title in existing:
            present["articles"] += 1
            continue
        article = services.article_create(
            actor=author,
            title=spec.title,
            kind=spec.kind,
            body=spec.body,
            workaround=spec.workaround,
            product=products.get(spec.product) if spec.product else None,
            client_visible=spec.client_visible,
        )
        if spec.publish:
            services.article_transition(actor=author, article_id=article.pk, action="submit")
            services.article_transition(actor=author, article_id=article.pk, action="publish")
        counts["articles"] += 1
    # The demo's requests may be written in bulk; index whatever is missing.
    reconcile()
