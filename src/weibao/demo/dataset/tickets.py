"""Demo service requests: each one a story the loader plays through the real services.

A step is ``(username, verb, arguments)``; the loader calls the service the verb
names as that user, so every request has the timeline, records and audit rows a
real one would have, and stands in a different place in the procedure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Step = tuple[str, str, dict[str, Any]]


@dataclass(frozen=True)
class TeamSpec:
    name: str
    members: tuple[str, ...]
    on_duty_contact: str = ""


@dataclass(frozen=True)
class TicketSpec:
    client_code: str
    title: str
    kind: str
    channel: str
    by: str
    level: int = 3
    description: str = ""
    deployment: str = ""
    contact: str = ""
    requester: str = ""
    caller_phone: str = ""
    call_seconds: int | None = None
    steps: tuple[Step, ...] = field(default_factory=tuple)


TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec("一线服务台", ("liyan", "zhangtao"), "值班电话 0518-85550000"),
    TeamSpec("现场工程师组", ("chenhao", "liuyang"), "陈浩 13800000004"),
    TeamSpec("运维保障组", ("zhoubin",), "周斌 13800000006"),
)

MRXC_PROD = "明日星城社区综合服务平台（生产环境）"
MZJ_PROD = "区级社区综合服务平台（生产环境）"
SYZX_PROD = "智慧校园管理系统（生产环境）"
HYJD_PROD = "网格化社会治理平台（生产环境）"
CHY_PROD = "翠湖苑社区综合服务平台（生产环境）"

PLAN = {
    "mode": "remote",
    "details": "远程登录应用服务器，调整会话超时参数并重启应用服务；变更前备份配置文件。",
    "charging": "free",
    "charging_basis": "质保期内免费维护",
}

TICKETS: tuple[TicketSpec, ...] = (
    TicketSpec(
        client_code="mrxc",
        title="居民信息模块登录后频繁提示会话过期",
        kind="fault",
        level=2,
        channel="hotline",
        by="liyan",
        deployment=MRXC_PROD,
        contact="赵敏",
        caller_phone="139 0000 0302",
        call_seconds=185,
        description="社区网格员反映，登录居民信息模块后约 5 分钟即提示会话过期，需要反复登录，影响入户走访录入。",
        steps=(
            ("wangjing", "assign", {"assignee": "zhoubin", "team": "运维保障组", "note": "影响入户录入，优先处理"}),
            (
                "zhoubin",
                "review",
                {"decision": "plan", "opinion": "会话超时参数被误改为 300 秒，需调整配置。", "plan": PLAN},
            ),
            ("mrxc.staff", "plan_confirm", {"signer_name": "赵敏"}),
            (
                "mrxc.staff",
                "consent",
                {"granted_by_name": "赵敏", "scope": "应用服务器 mrxc-app01 配置调整", "minutes_allowed": 120},
            ),
            ("zhoubin", "work_remote", {"minutes": 45, "description": "调整 session 超时为 1800 秒并重启应用服务。"}),
            ("zhoubin", "resolve", {"resolution": "已将会话超时恢复为 30 分钟，重启后验证正常。"}),
        ),
    ),
    TicketSpec(
        client_code="mrxc",
        title="低保人员台账导出 Excel 乱码",
        kind="fault",
        level=3,
        channel="portal",
        by="mrxc.staff",
        requester="mrxc.staff",
        deployment=MRXC_PROD,
        description="导出的低保人员台账用 Excel 打开后中文显示为乱码。",
        steps=(
            ("liyan", "claim", {}),
            ("liyan", "review", {"decision": "handle", "opinion": "导出文件缺少 BOM，属程序缺陷，立即修复。"}),
            ("liyan", "resolve", {"resolution": "已发布补丁 3.2.1，导出文件带 UTF-8 BOM。"}),
            ("mrxc.staff", "accept", {"signer_name": "赵敏", "opinion": "导出正常。"}),
            (
                "mrxc.staff",
                "feedback",
                {"signer_name": "赵敏", "opinion": "处理及时。", "rating": 5, "comment": "响应很快"},
            ),
        ),
    ),
    TicketSpec(
        client_code="mrxc",
        title="建议增加居民走访记录的批量导入功能",
        kind="optimization",
        level=4,
        channel="portal",
        by="mrxc.staff",
        requester="mrxc.staff",
        deployment=MRXC_PROD,
        description="网格员线下走访记录较多，希望支持按模板批量导入。",
        steps=(("mrxc.leader", "leader", {"approve": True, "opinion": "同意提交厂商评估。", "signer_name": "刘建华"}),),
    ),
    TicketSpec(
        client_code="mrxc",
        title="修正 3 号楼 2 单元住户门牌号错误数据",
        kind="data",
        level=3,
        channel="portal",
        by="mrxc.staff",
        requester="mrxc.staff",
        deployment=MRXC_PROD,
        description="3 号楼 2 单元 12 户门牌号录入时错位，需批量更正。",
    ),
    TicketSpec(
        client_code="hz-mzj",
        title="区级平台首页统计图表加载缓慢",
        kind="fault",
        level=2,
        channel="wechat",
        by="zhangtao",
        deployment=MZJ_PROD,
        description="民政局科室反映首页统计图表加载超过 20 秒。",
        steps=(
            ("wangjing", "assign", {"assignee": "zhoubin", "team": "运维保障组"}),
            ("zhoubin", "review", {"decision": "handle", "opinion": "统计查询缺少索引，立即处理。"}),
            ("zhoubin", "note", {"body": "慢查询日志显示 stat_daily 全表扫描，已准备索引脚本。"}),
            ("zhoubin", "wait", {"reason": "请民政局确认可在今晚 20:00 后执行索引变更。"}),
        ),
    ),
    TicketSpec(
        client_code="hz-syzx",
        title="教师考勤机数据未同步到平台",
        kind="fault",
        level=3,
        channel="onsite",
        by="chenhao",
        deployment=SYZX_PROD,
        description="周一上午考勤机记录未出现在平台，现场检查网络正常。",
        steps=(("chenhao", "claim", {}), ("chenhao", "review", {"decision": "handle", "opinion": "现场处理。"})),
    ),
    TicketSpec(
        client_code="hz-syzx",
        title="新学期教务系统操作培训",
        kind="training",
        level=4,
        channel="hotline",
        by="liyan",
        contact="韩雪",
        caller_phone="15000000702",
        call_seconds=240,
        description="新入职教师 12 人需要教务系统操作培训，希望安排在开学前。",
    ),
    TicketSpec(
        client_code="hyjd",
        title="网格事件上报接口调用超时",
        kind="emergency",
        level=1,
        channel="hotline",
        by="zhangtao",
        deployment=HYJD_PROD,
        description="全街道网格员上报事件失败，接口超时，业务中断。",
        steps=(
            ("wangjing", "assign", {"assignee": "liuyang", "team": "现场工程师组", "note": "一级故障，立即派人"}),
            ("wangjing", "supervise", {"note": "一级故障，1 小时内到场，每 30 分钟通报进展。"}),
            ("liuyang", "milestone", {"step": "dispatched", "note": "刘洋已出发前往街道机房。"}),
        ),
    ),
    TicketSpec(
        client_code="chy",
        title="对上门服务响应速度的投诉",
        kind="complaint",
        level=3,
        channel="hotline",
        by="liyan",
        description="社区主任反映上周报修的打印服务故障，工程师两天后才到场。",
        steps=(("wangjing", "assign", {"assignee": "wangjing"}),),
    ),
    TicketSpec(
        client_code="chy",
        title="如何在平台中调整网格员负责区域",
        kind="consultation",
        level=4,
        channel="qq",
        by="zhangtao",
        deployment=CHY_PROD,
        description="社区新调整了网格划分，询问在哪里修改网格员负责区域。",
        steps=(
            (
                "zhangtao",
                "review",
                {"decision": "no_action", "opinion": "已通过 QQ 告知操作路径：系统管理 → 网格管理 → 区域分配。"},
            ),
        ),
    ),
)
