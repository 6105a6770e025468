"""Demo clients with their sites and contacts.

Phone numbers follow obviously fictional patterns (138/139/150/186 + 0000 +
client number + contact number); e-mail domains end in ``.example``.
"""

from __future__ import annotations

from weibao.customers.models import Client, Site
from weibao.demo.dataset.specs import ClientSpec, ContactSpec, SiteSpec

GOV = Client.Kind.GOVERNMENT
OFFICE, MACHINE_ROOM, DATA_CENTER, BRANCH = (
    Site.Kind.OFFICE,
    Site.Kind.MACHINE_ROOM,
    Site.Kind.DATA_CENTER,
    Site.Kind.BRANCH,
)

CLIENTS: tuple[ClientSpec, ...] = (
    ClientSpec(
        code="hz-mzj",
        name="海州区民政局",
        short_name="区民政局",
        kind=GOV,
        region="海州区",
        address="海州区民政路 18 号",
        email_domain="mzj.haizhou.gov.example",
        notes="区级社区综合服务平台的建设单位，统筹全区各社区的推广应用。",
        sites=(
            SiteSpec("局机关办公室", OFFICE, "海州区民政路 18 号 3 楼"),
            SiteSpec("民政局机房", MACHINE_ROOM, "海州区民政路 18 号 1 楼东侧", "门禁需提前一天向信息化专员报备。"),
            SiteSpec("社区事务服务分中心", BRANCH, "海州区幸福路 66 号"),
        ),
        contacts=(
            ContactSpec(
                "马卫东",
                "副局长（分管信息化）",
                "13800000101",
                "0518-80000101",
                "maweidong",
                "局机关办公室",
                is_leader=True,
            ),
            ContactSpec(
                "周晓兰", "基层政权和社区建设科科长", "13900000102", "0518-80000102", "zhouxiaolan", "局机关办公室"
            ),
            ContactSpec(
                "吴婷", "信息化专员", "13800000103", "0518-80000103", "wuting", "局机关办公室", wecom_id="WuTing"
            ),
            ContactSpec(
                "钱磊",
                "机房管理员",
                "18600000104",
                "0518-80000104",
                "qianlei",
                "民政局机房",
                notes="夜间及节假日值守联系人。",
            ),
        ),
    ),
    ClientSpec(
        code="hz-zsj",
        name="海州区政务服务数据管理局",
        short_name="区数据局",
        kind=GOV,
        region="海州区",
        address="海州区政务服务中心 B 座",
        email_domain="zsj.haizhou.gov.example",
        notes="负责区政务云和政务外网，托管政务协同办公系统。",
        sites=(
            SiteSpec("局机关办公室", OFFICE, "海州区政务服务中心 B 座 5 楼"),
            SiteSpec(
                "区政务云数据中心", DATA_CENTER, "海州区科创路 9 号", "进入机房须办理临时出入证并由运维负责人陪同。"
            ),
            SiteSpec("政务服务大厅分中心", BRANCH, "海州区政务服务中心 A 座 1 楼"),
        ),
        contacts=(
            ContactSpec("高峰", "副局长", "13900000201", "0518-80000201", "gaofeng", "局机关办公室", is_leader=True),
            ContactSpec(
                "许文静",
                "电子政务科科长",
                "13800000202",
                "0518-80000202",
                "xuwenjing",
                "局机关办公室",
                dingtalk_id="xuwj_zsj",
            ),
            ContactSpec("杜明", "政务云运维负责人", "18600000203", "0518-80000203", "duming", "区政务云数据中心"),
            ContactSpec("罗佳", "网络安全专员", "15000000204", "0518-80000204", "luojia", "区政务云数据中心"),
        ),
    ),
    ClientSpec(
        code="mrxc",
        name="明日星城社区",
        short_name="明日星城",
        kind=Client.Kind.COMMUNITY,
        region="海州区海源街道",
        address="海州区星城路 88 号",
        email_domain="mrxc.shequ.example",
        notes="社区综合服务平台首个试点社区，现场安排驻点工程师。基础数据含人口、建筑、房屋、单位、党员、志愿者信息。",
        sites=(
            SiteSpec("社区办公室", OFFICE, "海州区星城路 88 号社区服务中心 2 楼"),
            SiteSpec("社区机房", MACHINE_ROOM, "海州区星城路 88 号社区服务中心 1 楼"),
            SiteSpec("党群服务分中心", BRANCH, "海州区星城路 120 号"),
        ),
        contacts=(
            ContactSpec(
                "刘建华",
                "社区主任",
                "13900000301",
                "0518-80000301",
                "liujianhua",
                "社区办公室",
                wecom_id="LiuJianHua",
                is_leader=True,
                notes="软件优化申请、历史数据处理须经其签字确认。",
            ),
            ContactSpec(
                "赵敏",
                "综合受理窗口工作人员",
                "13900000302",
                "0518-80000302",
                "zhaomin",
                "社区办公室",
                wecom_id="ZhaoMin",
            ),
            ContactSpec(
                "孙浩", "信息化专员", "15000000303", "0518-80000303", "sunhao", "社区机房", wechat_id="sunhao_mrxc"
            ),
            ContactSpec("黄丽萍", "网格员", "18600000304", "", "huangliping", "党群服务分中心"),
            ContactSpec("杨帆", "网格员", "13800000305", "", "yangfan", "党群服务分中心"),
        ),
    ),
    ClientSpec(
        code="chy",
        name="翠湖苑社区",
        short_name="翠湖苑",
        kind=Client.Kind.COMMUNITY,
        region="海州区海源街道",
        address="海州区翠湖路 15 号",
        email_domain="chy.shequ.example",
        notes="2025 年推广上线的第二批社区。",
        sites=(
            SiteSpec("社区办公室", OFFICE, "海州区翠湖路 15 号"),
            SiteSpec("社区机房", MACHINE_ROOM, "海州区翠湖路 15 号地下一层"),
        ),
        contacts=(
            ContactSpec(
                "陈秀英", "社区主任", "13800000401", "0518-80000401", "chenxiuying", "社区办公室", is_leader=True
            ),
            ContactSpec(
                "林峰", "信息化专员", "15000000402", "0518-80000402", "linfeng", "社区机房", wecom_id="LinFeng"
            ),
            ContactSpec("何静", "网格员", "18600000403", "", "hejing", "社区办公室"),
        ),
    ),
    ClientSpec(
        code="lghy",
        name="临港花园社区",
        short_name="临港花园",
        kind=Client.Kind.COMMUNITY,
        region="海州区新港街道",
        address="海州区临港大道 200 号",
        email_domain="lghy.shequ.example",
        notes="仍运行 3.0.0 版本，升级方案待社区确认。",
        sites=(
            SiteSpec("社区办公室", OFFICE, "海州区临港大道 200 号"),
            SiteSpec("社区机房", MACHINE_ROOM, "海州区临港大道 200 号 1 楼"),
        ),
        contacts=(
            ContactSpec(
                "徐春梅", "社区主任", "13900000501", "0518-80000501", "xuchunmei", "社区办公室", is_leader=True
            ),
            ContactSpec("唐军", "社区副主任", "13800000502", "0518-80000502", "tangjun", "社区办公室"),
            ContactSpec("邓小燕", "网格员", "18600000503", "", "dengxiaoyan", "社区办公室", wechat_id="dxy_lghy"),
        ),
    ),
    ClientSpec(
        code="hyjd",
        name="海源街道办事处",
        short_name="海源街道",
        kind=GOV,
        region="海州区海源街道",
        address="海州区海源路 1 号",
        email_domain="hyjd.haizhou.gov.example",
        notes="街道网格化服务管理中心 7×24 小时值守，事件分拨到各社区网格。",
        sites=(
            SiteSpec("街道办公室", OFFICE, "海州区海源路 1 号 4 楼"),
            SiteSpec("街道机房", MACHINE_ROOM, "海州区海源路 1 号 2 楼"),
            SiteSpec("网格化服务管理分中心", BRANCH, "海州区海源路 3 号综治中心"),
        ),
        contacts=(
            ContactSpec(
                "袁志刚",
                "街道办事处副主任",
                "13900000601",
                "0518-80000601",
                "yuanzhigang",
                "街道办公室",
                is_leader=True,
            ),
            ContactSpec("冯磊", "综治中心主任", "13800000602", "0518-80000602", "fenglei", "网格化服务管理分中心"),
            ContactSpec(
                "蒋雯",
                "信息化专员",
                "15000000603",
                "0518-80000603",
                "jiangwen",
                "街道机房",
                dingtalk_id="jiangwen_hyjd",
            ),
            ContactSpec("曹宇", "网格中心值班长", "18600000604", "0518-80000604", "caoyu", "网格化服务管理分中心"),
        ),
    ),
    ClientSpec(
        code="hz-syzx",
        name="海州区实验中学",
        short_name="实验中学",
        kind=Client.Kind.SCHOOL,
        region="海州区",
        address="海州区学府路 30 号",
        email_domain="syzx.edu.example",
        notes="寒暑假期间考勤、排课规则调整较多，需提前一周安排升级。",
        sites=(
            SiteSpec("行政楼办公室", OFFICE, "海州区学府路 30 号行政楼 3 楼"),
            SiteSpec("信息中心机房", MACHINE_ROOM, "海州区学府路 30 号实验楼 1 楼"),
            SiteSpec("东校区分中心", BRANCH, "海州区文昌路 8 号"),
        ),
        contacts=(
            ContactSpec(
                "郑国强", "副校长", "15000000701", "0518-80000701", "zhengguoqiang", "行政楼办公室", is_leader=True
            ),
            ContactSpec(
                "韩雪", "信息中心教师", "15000000702", "0518-80000702", "hanxue", "信息中心机房", wecom_id="HanXue"
            ),
            ContactSpec("魏东", "教务处主任", "13900000703", "0518-80000703", "weidong", "行政楼办公室"),
            ContactSpec("秦岚", "网络管理员", "18600000704", "0518-80000704", "qinlan", "东校区分中心"),
        ),
    ),
    ClientSpec(
        code="hz-eryuan",
        name="海州区第二人民医院",
        short_name="区二院",
        kind=Client.Kind.HOSPITAL,
        region="海州区",
        address="海州区健康路 100 号",
        email_domain="hzey.health.example",
        notes="医院后勤一体化管理系统试运行中，验收前由驻场工程师跟进问题清单。",
        sites=(
            SiteSpec("行政楼办公室", OFFICE, "海州区健康路 100 号行政楼"),
            SiteSpec("信息科机房", MACHINE_ROOM, "海州区健康路 100 号门诊楼负一层"),
            SiteSpec("后勤保障分中心", BRANCH, "海州区健康路 100 号后勤楼"),
        ),
        contacts=(
            ContactSpec(
                "潘建平", "副院长", "13900000801", "0518-80000801", "panjianping", "行政楼办公室", is_leader=True
            ),
            ContactSpec(
                "吕晓燕",
                "信息科科长",
                "13800000802",
                "0518-80000802",
                "lvxiaoyan",
                "信息科机房",
                dingtalk_id="lvxy_hzey",
            ),
            ContactSpec("谢斌", "后勤保障处处长", "18600000803", "0518-80000803", "xiebin", "后勤保障分中心"),
            ContactSpec("邹琳", "信息科工程师", "15000000804", "0518-80000804", "zoulin", "信息科机房"),
        ),
    ),
    ClientSpec(
        code="hrwy",
        name="海润物业服务有限公司",
        short_name="海润物业",
        kind=Client.Kind.ENTERPRISE,
        region="海州区",
        address="海州区商贸路 56 号",
        email_domain="hairunwy.example",
        notes="为多个社区提供物业服务，使用社区综合服务平台物业协同模块。",
        sites=(
            SiteSpec("公司总部办公室", OFFICE, "海州区商贸路 56 号 12 楼"),
            SiteSpec("公司机房", MACHINE_ROOM, "海州区商贸路 56 号 12 楼弱电间"),
        ),
        contacts=(
            ContactSpec(
                "田海涛", "总经理", "13900000901", "0518-80000901", "tianhaitao", "公司总部办公室", is_leader=True
            ),
            ContactSpec("方芳", "客服中心主管", "13800000902", "0518-80000902", "fangfang", "公司总部办公室"),
            ContactSpec("白杨", "IT 主管", "15000000903", "0518-80000903", "baiyang", "公司机房", wecom_id="BaiYang"),
        ),
    ),
)
