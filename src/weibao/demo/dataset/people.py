"""Demo users: the vendor's team and a few client-side accounts."""

from __future__ import annotations

from weibao.accounts.models import Role
from weibao.demo.dataset.specs import UserSpec

STAFF_DOMAIN = "haiyunsoft.example"

ADMIN_USERNAME = "admin"
# The users the command suggests signing in as.
STAFF_LOGIN = "liyan"
CLIENT_LOGIN = "mrxc.staff"

USERS: tuple[UserSpec, ...] = (
    UserSpec(
        username=ADMIN_USERNAME,
        display_name="系统管理员",
        role=Role.ADMIN,
        email=f"admin@{STAFF_DOMAIN}",
        is_staff=True,
        is_superuser=True,
    ),
    UserSpec("wangjing", "王静", Role.SERVICE_MANAGER, f"wangjing@{STAFF_DOMAIN}", "13800000001"),
    UserSpec("liyan", "李妍", Role.AGENT, f"liyan@{STAFF_DOMAIN}", "13800000002"),
    UserSpec("zhangtao", "张涛", Role.AGENT, f"zhangtao@{STAFF_DOMAIN}", "13800000003"),
    UserSpec("chenhao", "陈浩", Role.FIELD_ENGINEER, f"chenhao@{STAFF_DOMAIN}", "13800000004"),
    UserSpec("liuyang", "刘洋", Role.FIELD_ENGINEER, f"liuyang@{STAFF_DOMAIN}", "13800000005"),
    UserSpec("zhoubin", "周斌", Role.OM_ENGINEER, f"zhoubin@{STAFF_DOMAIN}", "13800000006"),
    UserSpec("sunli", "孙丽", Role.QUALITY, f"sunli@{STAFF_DOMAIN}", "13800000007"),
    UserSpec("hexin", "何欣", Role.AUDITOR, f"hexin@{STAFF_DOMAIN}", "13800000008"),
    # Client-side accounts, each matching a contact of its client.
    UserSpec("mrxc.staff", "赵敏", Role.CLIENT_USER, "zhaomin@mrxc.shequ.example", "13900000302", client_code="mrxc"),
    UserSpec(
        "mrxc.leader", "刘建华", Role.CLIENT_LEADER, "liujianhua@mrxc.shequ.example", "13900000301", client_code="mrxc"
    ),
    UserSpec("syzx.staff", "韩雪", Role.CLIENT_USER, "hanxue@syzx.edu.example", "15000000702", client_code="hz-syzx"),
    UserSpec(
        "syzx.leader",
        "郑国强",
        Role.CLIENT_LEADER,
        "zhengguoqiang@syzx.edu.example",
        "15000000701",
        client_code="hz-syzx",
    ),
    UserSpec(
        "mzj.staff", "吴婷", Role.CLIENT_USER, "wuting@mzj.haizhou.gov.example", "13800000103", client_code="hz-mzj"
    ),
    UserSpec(
        "mzj.leader",
        "马卫东",
        Role.CLIENT_LEADER,
        "maweidong@mzj.haizhou.gov.example",
        "13800000101",
        client_code="hz-mzj",
    ),
)
