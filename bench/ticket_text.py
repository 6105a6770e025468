"""Deterministic Chinese service requests for load tests: plain Python, no Django, no database.

``requests(n, seed)`` yields ``n`` service requests as plain dicts; the same ``n`` and
``seed`` give the same requests, byte for byte, on any machine and in any process (the
random generators are seeded with strings, which Python hashes the same way every run).
``reference(seed)`` gives the clients, contacts, systems, teams and engineers the
requests point at (by index), so that an inserter can create those first.

What a request looks like: one of the request types of R1.2, reported through one of
the channels of R1.1 by a contact of one of ~60 clients (street offices, communities,
bureaus, schools, hospitals, companies), about one of the systems the vendor delivered
(社区综合服务平台, 网格化管理系统, 居民信息管理系统 …), with a summary and a
description made from the vocabulary of that type (登录失败, 数据同步异常, 打印报表,
服务器磁盘告警 …), a fault level, and a creation time spread over the two years before
``EPOCH_END``, weighted to working days and office hours (Asia/Shanghai). Requests
older than a few weeks are mostly archived; recent ones are spread over the open states
of the maintenance procedure, with a next deadline.

Speed: about 100,000 requests in 2–3 s on one core (``python bench/ticket_text.py 100000``
prints the rate).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import json
import random
from collections.abc import Iterator, Sequence
from typing import Any

# Fixed, so that the data set does not depend on the day it is generated.
EPOCH_END = dt.datetime(2026, 11, 21, 16, tzinfo=dt.UTC)  # 2026-11-22 00:00 in Beijing
SPAN_DAYS = 730
CHINA = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has had no DST since 1991

# ------------------------------------------------------------------ vocabulary
CITIES = ["江州", "临川", "云阳", "海宁", "青岚", "西平", "东陵", "南屏"]
DISTRICTS = ["城关区", "滨江区", "高新区", "经开区", "龙湖区", "新城区", "东城区", "西湖区"]
STREETS = ["和平", "幸福", "东湖", "建设", "人民", "光明", "解放", "新华", "长安", "学府", "文昌", "锦绣"]
COMMUNITIES = ["幸福里", "和谐家园", "东湖花园", "翠苑", "阳光", "春晖", "桂花苑", "望江", "金色家园", "锦绣苑"]
COMPANIES = ["江州水务集团有限公司", "云阳城市燃气有限公司", "海宁物业服务有限公司", "临川公交集团有限公司"]

SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹易常武乔贺赖龚文"
)
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文辉鹏飞晓燕雪琳浩宇欣怡子涵梓萱")
POSITIONS = {
    "community": ["网格员", "社区主任", "社区书记", "信息员", "综治专干"],
    "government": ["科员", "办公室主任", "信息科科长", "业务科长", "系统管理员"],
    "school": ["教务员", "信息中心主任", "教师", "系统管理员"],
    "hospital": ["后勤科科长", "信息科工程师", "护士长", "设备管理员"],
    "enterprise": ["信息部经理", "行政专员", "系统管理员"],
}

# (system name, modules)
SYSTEMS: list[tuple[str, list[str]]] = [
    ("社区综合服务平台", ["居民信息", "房屋信息", "事项受理", "通知公告", "志愿者管理", "统计分析", "党建"]),
    ("网格化管理系统", ["网格巡查", "事件上报", "网格员考核", "地图定位", "事件流转", "人口采集"]),
    ("居民信息管理系统", ["户籍信息", "流动人口", "特殊人群", "数据导入", "居民档案"]),
    ("智慧养老服务平台", ["老人档案", "助餐服务", "居家服务工单", "补贴发放", "紧急呼叫"]),
    ("政务服务一网通办", ["网上申报", "统一身份认证", "电子证照", "办件查询", "好差评"]),
    ("智慧校园平台", ["学籍管理", "排课", "成绩录入", "家校通知", "一卡通"]),
    ("医院后勤管理系统", ["报修", "物资领用", "能耗监测", "巡检"]),
    ("协同办公系统", ["公文流转", "会议室预约", "考勤", "电子签章", "通讯录"]),
]
SYSTEM_WEIGHTS = [30, 20, 14, 8, 10, 8, 4, 6]

# Request types (weibao.tickets.workflow.Kind) with their weights.
KINDS = [
    ("fault", 34),
    ("consultation", 24),
    ("data", 9),
    ("corrective", 6),
    ("optimization", 6),
    ("emergency", 2),
    ("complaint", 2),
    ("adaptive", 3),
    ("personalised", 4),
    ("upgrade", 3),
    ("expansion", 1),
    ("training", 6),
]
# Channels (weibao.tickets.models.Channel) with their weights.
CHANNELS = [
    ("hotline", 34),
    ("wecom", 14),
    ("portal", 18),
    ("email", 9),
    ("dingtalk", 5),
    ("feishu", 2),
    ("wechat", 7),
    ("qq", 2),
    ("onsite", 4),
    ("monitoring", 4),
    ("api", 1),
]
# Fault level weights (1 = major … 4 = no function lost) per kind; others get DEFAULT_LEVELS.
LEVELS_BY_KIND = {
    "emergency": [70, 30, 0, 0],
    "fault": [4, 22, 54, 20],
    "corrective": [1, 15, 60, 24],
    "complaint": [5, 35, 50, 10],
}
DEFAULT_LEVELS = [0, 5, 45, 50]
# Hours to the next deadline by level, while open (R2.1 presets: 4 h, 12 h, 24 h, 24 h).
DEADLINE_HOURS = {1: 4, 2: 12, 3: 24, 4: 72}

SYMPTOMS = [
    "登录失败",
    "登录后页面白屏",
    "数据同步异常",
    "打印报表格式错乱",
    "导出Excel报错",
    "查询超时",
    "提示“系统繁忙，请稍后再试”",
    "附件上传失败",
    "短信验证码收不到",
    "统计数字与台账不一致",
    "页面加载缓慢",
    "保存时提示数据校验失败",
    "地图无法加载",
    "审批流程卡在上一环节",
    "手机端闪退",
    "数据重复显示",
]
OPS_ALARMS = [
    "服务器磁盘告警：{host} 磁盘使用率{pct}%",
    "数据库连接数过高：{host} 当前连接数{conn}",
    "备份任务失败：{host} 夜间全量备份未完成",
    "应用服务无响应：{host} 健康检查连续{n}次失败",
    "内存使用率告警：{host} 内存使用率{pct}%",
    "SSL证书将在{n}天后到期：{domain}",
]
QUESTIONS = [
    "如何批量导入{module}数据",
    "{module}的报表打印时如何设置横向纸张",
    "怎样给新同事开通{module}的权限",
    "如何导出本月的{module}统计",
    "{module}里已提交的记录如何撤回",
    "账号被锁定后如何解锁",
    "如何查看{module}的历史操作日志",
    "{module}的数据多久同步一次",
    "忘记密码后怎样自助重置",
]
DATA_TASKS = [
    "批量修正{module}中的地址错误",
    "合并{module}中重复的档案",
    "删除{module}中测试期间录入的无效数据",
    "补录{month}月漏报的{module}数据",
    "修正{module}中身份证号录入错误导致的统计偏差",
    "历史数据处理：{module}{year}年以前的记录归档",
]
FEATURES = [
    "增加批量打印功能",
    "列表支持自定义显示列",
    "增加导出为PDF",
    "首页增加待办提醒",
    "支持手机端上传现场照片",
    "统计报表增加同比环比",
    "增加短信批量通知",
]
COMPLAINTS = [
    "工程师未按约定时间上门",
    "问题反复出现未彻底解决",
    "热线长时间无人接听",
    "处理进度没有及时反馈",
    "远程协助时操作不规范",
]
POLICIES = ["低保标准", "高龄津贴发放规则", "网格划分", "考核指标", "居住证办理流程", "统计口径"]
RESOURCES = ["存储空间扩容2TB", "应用服务器增加2台", "数据库内存扩至64GB", "带宽扩至200M"]

BROWSERS = ["Chrome 126", "360安全浏览器", "奇安信可信浏览器", "Edge 125", "火狐浏览器", "IE11兼容模式"]
OSES = ["Windows 10", "Windows 7", "统信UOS", "银河麒麟V10", "Windows 11"]
TRIED = [
    "已经清除浏览器缓存并重启电脑，问题依旧。",
    "换了一台电脑也是同样的情况。",
    "同事的账号可以正常使用。",
    "重新登录后问题仍然存在。",
    "按照操作手册重新操作了一遍，还是不行。",
    "已联系单位信息科检查网络，网络正常。",
]
IMPACTS = [
    "影响{n}名网格员正常办公。",
    "今天下午要向街道报送数据，比较着急。",
    "居民在窗口等待办理，请尽快处理。",
    "月底考核需要用到这份报表。",
    "暂时不影响其他业务。",
    "整个社区的业务都停了。",
]
# How the description starts, by the channel the request came through.
OPENERS = {
    "voice": ["{client}{position}{name}来电反映：", "{name}（{client}{position}）来电："],
    "onsite": ["现场走访时，{client}{position}{name}提出：", "驻点期间{client}{name}反映："],
    "written": ["您好，我是{client}的{position}{name}。", "你好！{client}这边遇到一个问题。", "各位工程师好："],
    "im": ["{name}（{client}）通过{channel}反馈：", "{channel}服务群消息，{client}{name}："],
}
OPENER_GROUP = {
    "hotline": "voice",
    "onsite": "onsite",
    "email": "written",
    "portal": "written",
    "api": "written",
    "wecom": "im",
    "dingtalk": "im",
    "feishu": "im",
    "wechat": "im",
    "qq": "im",
}
RESOLUTIONS = {
    "fault": [
        "已远程协助处理，经用户确认恢复正常。",
        "原因是浏览器兼容模式设置不当，已指导用户切换为极速模式。",
        "数据同步任务因接口超时中断，已重新执行并补齐数据。",
        "缓存数据过期导致，已清理缓存并优化刷新策略。",
        "已在补丁版本中修复，发布后经用户验收通过。",
    ],
    "ops": [
        "已清理日志文件释放磁盘空间，并调整日志保留策略。",
        "已重启应用服务，并排查出连接池配置过小，已调整。",
        "已重新执行备份并校验成功，备份脚本已加入失败重试。",
        "已更换证书并验证访问正常。",
    ],
    "consultation": ["已电话解答并发送操作手册相应章节。", "已远程演示操作步骤，用户表示已掌握。"],
    "data": ["已按用户要求完成数据修正，修正记录已归档。", "已执行数据处理脚本，处理{n}条记录，经负责人确认无误。"],
    "change": ["已在新版本中实现，发布后经用户验收通过。", "经评估已纳入下一版本计划，已告知用户。"],
    "complaint": [
        "已向客户致歉并说明原因，调整了上门预约流程，客户表示满意。",
        "已约谈责任工程师并整改，回访客户满意。",
    ],
    "training": ["已完成现场培训，参训人员{n}人。", "已安排线上培训并提供培训视频。"],
    "expansion": ["已完成扩容，资源使用率恢复正常。"],
}
RESOLUTION_GROUP = {
    "fault": "fault",
    "corrective": "fault",
    "emergency": "fault",
    "consultation": "consultation",
    "data": "data",
    "optimization": "change",
    "adaptive": "change",
    "personalised": "change",
    "upgrade": "change",
    "complaint": "complaint",
    "training": "training",
    "expansion": "expansion",
}
CHANNEL_WORDS = {
    "hotline": "热线电话",
    "wecom": "企业微信",
    "portal": "服务门户",
    "email": "电子邮件",
    "dingtalk": "钉钉",
    "feishu": "飞书",
    "wechat": "微信",
    "qq": "QQ",
    "onsite": "现场",
    "monitoring": "监控告警",
    "api": "接口",
}
TEAMS = ["一线服务台", "社区平台产品组", "网格化产品组", "运维保障组", "数据服务组"]

# Status by age: states for requests still open, and how closed ones ended.
OPEN_STATES = [
    ("registered", 22),
    ("in_progress", 34),
    ("plan_pending", 6),
    ("testing", 4),
    ("acceptance", 14),
    ("feedback", 8),
    ("pending_client", 8),
    ("suspended", 4),
]
CLOSED_STATES = [("archived", 90), ("rejected", 3), ("withdrawn", 5), ("merged", 2)]
# Hour-of-day weights (local time): office hours, lunch dip, a little at night.
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 1, 2, 6, 22, 30, 30, 24, 10, 16, 28, 28, 24, 16, 6, 4, 3, 2, 2, 1]


def _cum(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


# random.choice/randint/randrange cost ~1 µs each through _randbelow; an index from
# one random() call is a third of that and just as deterministic.
def _c(rng: random.Random, seq: Sequence[Any]) -> Any:
    return seq[int(rng.random() * len(seq))]


def _i(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high]."""
    return low + int(rng.random() * (high - low + 1))


class _Pick:
    """A weighted choice with precomputed cumulative weights (``random.choices`` rebuilds them per call)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = _cum(weights)
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _name(rng: random.Random) -> str:
    given = _c(rng, GIVEN) + (_c(rng, GIVEN) if rng.random() < 0.7 else "")
    return _c(rng, SURNAMES) + given


def _mobile(rng: random.Random) -> str:
    return f"1{_c(rng, '3456789')}{_i(rng, 0, 10**9 - 1):09d}"


def reference(seed: int) -> dict[str, Any]:
    """Clients (with contacts, the systems deployed there and their servers), teams and engineers.

    Deterministic per ``seed``. Clients carry a ``weight`` (how many requests they
    send, roughly Zipf) and ``systems`` (indexes into SYSTEMS) with one server
    address each in ``hosts``.
    """
    rng = random.Random(f"weibao-bench-{seed}-reference")
    clients: list[dict[str, Any]] = []
    used: set[str] = set()
    shapes = [("community", 45), ("government", 25), ("school", 12), ("hospital", 8), ("enterprise", 10)]
    pick_shape = _Pick([s for s, _ in shapes], [w for _, w in shapes])
    while len(clients) < 60:
        city, district = _c(rng, CITIES), _c(rng, DISTRICTS)
        kind = pick_shape(rng)
        if kind == "community":
            name = f"{city}市{district}{_c(rng, STREETS)}街道{_c(rng, COMMUNITIES)}社区居民委员会"
            systems = [0, 1, 2] if rng.random() < 0.6 else [0, 3]
        elif kind == "government":
            name = _c(
                rng,
                [
                    f"{city}市{district}{_c(rng, STREETS)}街道办事处",
                    f"{city}市{district}政务服务中心",
                    f"{city}市{district}民政局",
                    f"{city}市{district}社会治理网格化服务中心",
                ],
            )
            systems = [4, 7, 1] if rng.random() < 0.5 else [0, 1, 7]
        elif kind == "school":
            name = f"{city}市第{_i(rng, 1, 40)}中学"
            systems = [5, 7]
        elif kind == "hospital":
            name = f"{city}市{district}人民医院"
            systems = [6, 7]
        else:
            name = _c(rng, COMPANIES)
            systems = [7]
        if name in used:
            continue
        used.add(name)
        contacts = [
            {"name": _name(rng), "title": _c(rng, POSITIONS[kind]), "mobile": _mobile(rng), "is_leader": k == 0}
            for k in range(_i(rng, 2, 5))
        ]
        clients.append(
            {
                "code": f"bench-{seed}-{len(clients) + 1:03d}",
                "name": name,
                "kind": kind,
                "region": f"{city}市{district}",
                "contacts": contacts,
                "systems": systems,
                "weight": 1.0 / (len(clients) + 3) ** 0.8,
                "hosts": [f"10.{_i(rng, 1, 250)}.{_i(rng, 0, 255)}.{_i(rng, 2, 250)}" for _ in systems],
            }
        )
    engineers = [{"username": f"bench-eng-{k:02d}", "name": _name(rng)} for k in range(1, 21)]
    return {"clients": clients, "teams": list(TEAMS), "engineers": engineers, "systems": SYSTEMS}


def _text(
    rng: random.Random, kind: str, channel: str, client: dict[str, Any], contact: dict[str, Any], system: int, host: str
) -> tuple[str, str, str]:
    """(summary, description as simple HTML paragraphs, resolution group) for one request."""
    sys_name, modules = SYSTEMS[system]
    module = _c(rng, modules)
    n = _i(rng, 2, 30)
    if channel == "monitoring" or (kind == "fault" and rng.random() < 0.08):
        alarm = _c(rng, OPS_ALARMS)
        title = alarm.format(
            host=host, pct=_i(rng, 85, 99), conn=_i(rng, 300, 1200), n=n, domain=f"www.{client['code']}.gov.cn"
        )
        if channel == "monitoring":
            at = f"{_i(rng, 0, 23):02d}:{_i(rng, 0, 59):02d}"
            body = f"<p>监控平台于{at}触发告警：{title}。</p><p>请运维人员尽快核查。</p>"
            return title, body, "ops"
        detail = [f"收到告警短信：{title}。", "请帮忙看一下是否影响业务。"]
        group = "ops"
    elif kind in ("fault", "corrective"):
        symptom = _c(rng, SYMPTOMS)
        title = f"{sys_name}{module}模块{symptom}"
        detail = [f"在{sys_name}的“{module}”模块操作时出现{symptom}。"]
        if rng.random() < 0.4:
            detail.append(f"错误代码：E{_i(rng, 1000, 9999)}。")
        if rng.random() < 0.5:
            detail.append(f"使用的浏览器：{_c(rng, BROWSERS)}，操作系统：{_c(rng, OSES)}。")
        detail += [_c(rng, TRIED), _c(rng, IMPACTS).format(n=n)]
        group = "fault"
    elif kind == "emergency":
        title = f"紧急：{sys_name}无法访问"
        detail = [f"{sys_name}从{_i(rng, 7, 20)}点起全部用户无法访问，业务已中断。", "请立即派人处理！"]
        group = "fault"
    elif kind == "consultation":
        question = _c(rng, QUESTIONS).format(module=module)
        title = f"咨询：{question}"
        detail = [f"想请教一下，{sys_name}中{question}？", "操作手册里没有找到相关说明。"]
        group = "consultation"
    elif kind == "data":
        task = _c(rng, DATA_TASKS).format(module=module, month=_i(rng, 1, 12), year=_i(rng, 2015, 2022))
        title = f"数据维护申请：{task}"
        detail = [f"{sys_name}中有约{_i(rng, 10, 5000)}条记录需要处理：{task}。", "已由单位负责人确认，清单见附件。"]
        group = "data"
    elif kind in ("optimization", "personalised"):
        feature = _c(rng, FEATURES)
        if kind == "optimization":
            title = f"优化建议：{module}{feature}"
            detail = [f"建议{sys_name}的“{module}”{feature}，可以减少重复录入。", "已征得单位负责人同意。"]
        else:
            title = f"个性化修改：{module}{feature}"
            detail = [f"本单位希望在{sys_name}的“{module}”中{feature}，请评估工作量。"]
        group = "change"
    elif kind == "complaint":
        issue = _c(rng, COMPLAINTS)
        title = f"投诉：{issue}"
        detail = [f"关于{sys_name}的问题，{issue}，希望贵公司重视并给出说明。"]
        group = "complaint"
    elif kind == "adaptive":
        policy = _c(rng, POLICIES)
        title = f"因{policy}调整，{module}需同步修改"
        detail = [f"上级部门发文调整{policy}，{sys_name}“{module}”的相关规则需要随之调整。"]
        group = "change"
    elif kind == "upgrade":
        title = f"{sys_name}升级至V{_i(rng, 2, 5)}.{_i(rng, 0, 9)}"
        detail = ["请安排升级窗口，并提前告知停机时间。"]
        group = "change"
    elif kind == "expansion":
        resource = _c(rng, RESOURCES)
        title = f"{sys_name}扩容申请：{resource}"
        detail = [f"{host}的资源使用率连续一个月超过阈值，申请{resource}。"]
        group = "expansion"
    else:  # training
        title = f"申请{module}操作培训"
        detail = [f"新入职{n}名工作人员，需要{sys_name}“{module}”的操作培训。"]
        group = "training"
    opener = _c(rng, OPENERS[OPENER_GROUP[channel]]).format(
        client=client["name"], position=contact["title"], name=contact["name"], channel=CHANNEL_WORDS[channel]
    )
    body = f"<p>{opener}{''.join(detail)}</p>"
    if channel != "hotline" and rng.random() < 0.5:
        body += f"<p>联系电话：{contact['mobile']}。</p>"
    return title[:200], body, group


def requests(n: int, seed: int) -> Iterator[dict[str, Any]]:
    """``n`` service requests, deterministic per ``seed``; see the module docstring.

    Keys: number (``WB-<local day>-<seq>``, seq counted per day in this stream),
    client (index into reference()['clients']), contact (index into that client's
    contacts), system (index into SYSTEMS), team (index into TEAMS), assignee
    (index into engineers, or None), channel, kind, level, title, description,
    status, created_at, closed_at, next_deadline (aware UTC or None), resolution,
    reopen_count, caller_name, caller_phone, call_started_at, call_seconds.
    """
    ref = reference(seed)
    clients = ref["clients"]
    rng = random.Random(f"weibao-bench-{seed}-requests")
    pick_client = _Pick(range(len(clients)), [c["weight"] for c in clients])
    pick_kind = _Pick([k for k, _ in KINDS], [w for _, w in KINDS])
    pick_channel = _Pick([c for c, _ in CHANNELS], [w for _, w in CHANNELS])
    level_picks = {k: _Pick([1, 2, 3, 4], w) for k, w in LEVELS_BY_KIND.items()}
    default_level = _Pick([1, 2, 3, 4], DEFAULT_LEVELS)
    pick_open = _Pick([s for s, _ in OPEN_STATES], [w for _, w in OPEN_STATES])
    pick_closed = _Pick([s for s, _ in CLOSED_STATES], [w for _, w in CLOSED_STATES])
    pick_hour = _Pick(range(24), HOUR_WEIGHTS)
    end_local = EPOCH_END.astimezone(CHINA)
    days = [(end_local - dt.timedelta(days=k)).date() for k in range(SPAN_DAYS, 0, -1)]
    day_start = {d: dt.datetime(d.year, d.month, d.day, tzinfo=CHINA).astimezone(dt.UTC) for d in days}
    day_label = {d: d.strftime("%Y%m%d") for d in days}
    weekday = {d: d.weekday() < 5 for d in days}
    per_day: dict[dt.date, int] = {}
    team_for_system = [1, 2, 1, 1, 1, 1, 1, 1]  # community platform, grid system, the other products
    delta = dt.timedelta
    for _ in range(n):
        ci = pick_client(rng)
        client = clients[ci]
        contact_i = int(rng.random() * len(client["contacts"]))
        contact = client["contacts"][contact_i]
        slot = int(rng.random() * len(client["systems"]))
        system, host = client["systems"][slot], client["hosts"][slot]
        channel = pick_channel(rng)
        kind = "fault" if channel == "monitoring" else pick_kind(rng)
        level = level_picks.get(kind, default_level)(rng)
        # Working days are five times as likely as weekend days.
        while True:
            day = days[int(rng.random() * SPAN_DAYS)]
            if weekday[day] or rng.random() < 0.2:
                break
        created = day_start[day] + delta(seconds=pick_hour(rng) * 3600 + int(rng.random() * 3600))
        age_days = (EPOCH_END - created).total_seconds() / 86400
        # The chance that a request is still open falls with its age.
        p_open = 0.9 if age_days < 2 else 0.55 if age_days < 14 else 0.2 if age_days < 60 else 0.015
        title, description, group = _text(rng, kind, channel, client, contact, system, host)
        closed_at = next_deadline = None
        resolution = ""
        if rng.random() < p_open:
            status = pick_open(rng)
            if kind in ("optimization", "data") and rng.random() < 0.3:
                status = "leader_signoff"
            if status not in ("pending_client", "suspended"):  # a hold stops the clock
                next_deadline = created + delta(hours=DEADLINE_HOURS[level] * _c(rng, (1, 1, 2, 5)))
        else:
            status = pick_closed(rng)
            closed_at = created + delta(minutes=_i(rng, 20, 60 * 24 * (2 + 3 * level)))
            if status == "archived":
                resolution = _c(rng, RESOLUTIONS[group]).format(n=_i(rng, 3, 40))
        if channel == "monitoring":
            team = 3
        elif kind == "data":
            team = 4
        elif level >= 3 and rng.random() < 0.5:
            team = 0  # the front desk keeps the easy ones
        else:
            team = team_for_system[system]
        seq = per_day.get(day, 0) + 1
        per_day[day] = seq
        hotline = channel == "hotline"
        yield {
            "number": f"WB-{day_label[day]}-{seq:04d}",
            "client": ci,
            "contact": contact_i,
            "system": system,
            "team": team,
            "assignee": None if status in ("registered", "leader_signoff") else int(rng.random() * 20),
            "channel": channel,
            "kind": kind,
            "level": level,
            "title": title,
            "description": description,
            "status": status,
            "created_at": created,
            "closed_at": closed_at,
            "next_deadline": next_deadline,
            "resolution": resolution,
            "reopen_count": 1 if rng.random() < 0.03 else 0,
            "caller_name": contact["name"] if hotline else "",
            "caller_phone": contact["mobile"] if hotline else "",
            "call_started_at": created if hotline else None,
            "call_seconds": _i(rng, 40, 900) if hotline else None,
        }


def digest(n: int, seed: int) -> str:
    """SHA-256 over ``n`` requests as canonical JSON: equal digests, equal data sets."""
    sha = hashlib.sha256()
    for row in requests(n, seed):
        sha.update(json.dumps(row, default=str, ensure_ascii=False, sort_keys=True).encode())
        sha.update(b"\n")
    return sha.hexdigest()


if __name__ == "__main__":  # a look at the data and the generation rate
    import sys
    import time

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    seed_arg = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    t0, c0 = time.perf_counter(), time.process_time()
    rows = 0
    for row in requests(count, seed_arg):
        rows += 1
        if rows <= 3:
            print(json.dumps(row, default=str, ensure_ascii=False))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{rows} requests in {wall:.2f} s wall, {cpu:.2f} s CPU ({rows / cpu:,.0f}/s of CPU)", file=sys.stderr)
