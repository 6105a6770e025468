"""Which release runs where, on which servers and devices.

Addresses are private (RFC 1918) and host names follow each client's own
naming scheme, as they would in a real machine room.
"""

from __future__ import annotations

import datetime as dt

from weibao.customers.models import Deployment, DeploymentNode
from weibao.demo.dataset.catalog import (
    COMMUNITY_PLATFORM,
    GOV_OFFICE,
    GRID_GOVERNANCE,
    HOSPITAL_LOGISTICS,
    SMART_CAMPUS,
)
from weibao.demo.dataset.specs import DeploymentSpec, NodeSpec

PROD, TEST, TRAINING = Deployment.Environment.PRODUCTION, Deployment.Environment.TEST, Deployment.Environment.TRAINING
R = DeploymentNode.Role

KYLIN = "银河麒麟 Kylin V10 SP3"
UOS = "统信 UOS 服务器版 V20"
CENTOS = "CentOS 7.9"
WINDOWS = "Windows Server 2019"
EULER = "openEuler 22.03 LTS"
HUAWEI_VRP = "华为 VRP V8"
H3C = "H3C Comware V7"
SANGFOR_AF = "深信服 AF 8.0.85"

DEPLOYMENTS: tuple[DeploymentSpec, ...] = (
    DeploymentSpec(
        client_code="hz-mzj",
        name="区级社区综合服务平台（生产环境）",
        site="民政局机房",
        product_code=COMMUNITY_PLATFORM,
        version="3.2.0",
        environment=PROD,
        url="https://sqfw.haizhou.gov.example/",
        went_live_on=dt.date(2024, 9, 30),
        notes="全区各社区共用的区级平台；2026 年 4 月由 3.1.2 升级至 3.2.0。",
        nodes=(
            NodeSpec(
                R.WEB,
                "mzj-sqfw-nginx01",
                "10.18.20.10",
                KYLIN,
                "4 核 / 8 GB / 100 GB",
                "Nginx 反向代理，映射至政务外网",
            ),
            NodeSpec(R.APPLICATION, "mzj-sqfw-app01", "10.18.20.11", KYLIN, "8 核 / 32 GB / 200 GB"),
            NodeSpec(
                R.APPLICATION, "mzj-sqfw-app02", "10.18.20.12", KYLIN, "8 核 / 32 GB / 200 GB", "与 app01 组成集群"
            ),
            NodeSpec(R.DATABASE, "mzj-sqfw-db01", "10.18.20.21", KYLIN, "16 核 / 64 GB / 2 TB SSD", "达梦 DM8 主库"),
            NodeSpec(
                R.DATABASE, "mzj-sqfw-db02", "10.18.20.22", KYLIN, "16 核 / 64 GB / 2 TB SSD", "达梦 DM8 备库，实时同步"
            ),
            NodeSpec(
                R.STORAGE, "mzj-nas01", "10.18.20.30", "华为 OceanStor OS", "24 TB 可用容量", "附件与每日备份存储"
            ),
            NodeSpec(R.NETWORK, "mzj-core-sw01", "10.18.20.1", HUAWEI_VRP, "CE6881 万兆核心交换机"),
            NodeSpec(R.SECURITY, "mzj-fw01", "10.18.20.2", SANGFOR_AF, "下一代防火墙，双机热备"),
        ),
    ),
    DeploymentSpec(
        client_code="hz-mzj",
        name="区级社区综合服务平台（测试环境）",
        site="民政局机房",
        product_code=COMMUNITY_PLATFORM,
        version="3.2.0",
        environment=TEST,
        url="http://10.18.21.31:8080/",
        went_live_on=dt.date(2024, 8, 15),
        notes="升级前验证与培训演示使用，数据为脱敏样例。",
        nodes=(
            NodeSpec(
                R.APPLICATION, "mzj-sqfw-test01", "10.18.21.31", CENTOS, "8 核 / 16 GB / 500 GB", "应用与数据库合一部署"
            ),
        ),
    ),
    DeploymentSpec(
        client_code="hz-zsj",
        name="政务协同办公系统（生产环境）",
        site="区政务云数据中心",
        product_code=GOV_OFFICE,
        version="5.0.0",
        environment=PROD,
        url="https://oa.haizhou.gov.example/",
        went_live_on=dt.date(2026, 10, 15),
        notes="5.0.0 信创改造版试运行中，验收前保留 4.3.1 只读库备查。",
        nodes=(
            NodeSpec(R.WEB, "zsj-oa-web01", "10.20.1.10", UOS, "4 核 / 8 GB / 100 GB", "Nginx + 国密 SSL 网关"),
            NodeSpec(R.APPLICATION, "zsj-oa-app01", "10.20.1.11", UOS, "16 核 / 32 GB / 300 GB"),
            NodeSpec(R.APPLICATION, "zsj-oa-app02", "10.20.1.12", UOS, "16 核 / 32 GB / 300 GB"),
            NodeSpec(R.DATABASE, "zsj-oa-db01", "10.20.1.21", UOS, "32 核 / 128 GB / 4 TB SSD", "达梦 DM8 主备集群"),
            NodeSpec(R.STORAGE, "zsj-oa-file01", "10.20.1.31", EULER, "16 TB 可用容量", "公文附件对象存储"),
            NodeSpec(R.SECURITY, "zsj-oa-fw01", "10.20.1.2", "天融信 TOS 3.3", "政务外网边界防火墙"),
        ),
    ),
    DeploymentSpec(
        client_code="hz-zsj",
        name="政务协同办公系统（培训环境）",
        site="政务服务大厅分中心",
        product_code=GOV_OFFICE,
        version="4.3.1",
        environment=TRAINING,
        url="http://10.20.2.15/",
        went_live_on=dt.date(2025, 2, 10),
        nodes=(NodeSpec(R.APPLICATION, "zsj-oa-train01", "10.20.2.15", WINDOWS, "4 核 / 16 GB / 300 GB"),),
    ),
    DeploymentSpec(
        client_code="mrxc",
        name="明日星城社区综合服务平台（生产环境）",
        site="社区机房",
        product_code=COMMUNITY_PLATFORM,
        version="3.2.0",
        environment=PROD,
        url="http://10.18.36.10/",
        went_live_on=dt.date(2023, 9, 20),
        notes="试点社区，2.8.0 上线；2024 年 7 月升级至 3.0.0，2026 年 4 月升级至 3.2.0。",
        nodes=(
            NodeSpec(R.APPLICATION, "mrxc-app01", "10.18.36.10", KYLIN, "8 核 / 16 GB / 500 GB"),
            NodeSpec(R.DATABASE, "mrxc-db01", "10.18.36.11", KYLIN, "8 核 / 32 GB / 1 TB", "PostgreSQL 14"),
            NodeSpec(
                R.STORAGE, "mrxc-nas01", "10.18.36.20", "群晖 DSM 7.2", "8 TB，RAID 5", "每日 02:00 数据库备份目标"
            ),
            NodeSpec(R.NETWORK, "mrxc-sw01", "10.18.36.1", H3C, "S5130 千兆接入交换机"),
            NodeSpec(R.SECURITY, "mrxc-fw01", "10.18.36.2", SANGFOR_AF, "社区出口防火墙"),
        ),
    ),
    DeploymentSpec(
        client_code="mrxc",
        name="明日星城社区综合服务平台（测试环境）",
        site="社区机房",
        product_code=COMMUNITY_PLATFORM,
        version="3.2.0",
        environment=TEST,
        url="http://10.18.36.50:8080/",
        went_live_on=dt.date(2025, 3, 1),
        nodes=(NodeSpec(R.APPLICATION, "mrxc-test01", "10.18.36.50", CENTOS, "4 核 / 8 GB / 200 GB"),),
    ),
    DeploymentSpec(
        client_code="chy",
        name="翠湖苑社区综合服务平台（生产环境）",
        site="社区机房",
        product_code=COMMUNITY_PLATFORM,
        version="3.1.2",
        environment=PROD,
        url="http://10.18.37.10/",
        went_live_on=dt.date(2025, 7, 15),
        nodes=(
            NodeSpec(R.APPLICATION, "chy-app01", "10.18.37.10", UOS, "8 核 / 16 GB / 500 GB"),
            NodeSpec(R.DATABASE, "chy-db01", "10.18.37.11", UOS, "8 核 / 32 GB / 1 TB", "PostgreSQL 14"),
            NodeSpec(R.NETWORK, "chy-sw01", "10.18.37.1", H3C, "S5130 千兆接入交换机"),
        ),
    ),
    DeploymentSpec(
        client_code="lghy",
        name="临港花园社区综合服务平台（生产环境）",
        site="社区机房",
        product_code=COMMUNITY_PLATFORM,
        version="3.0.0",
        environment=PROD,
        url="http://10.18.38.10/",
        went_live_on=dt.date(2023, 12, 20),
        notes="2.8.0 上线，2024 年 7 月升级至 3.0.0；升级至 3.2.0 的方案待社区确认。",
        nodes=(
            NodeSpec(R.APPLICATION, "lghy-app01", "10.18.38.10", CENTOS, "8 核 / 16 GB / 1 TB", "应用与数据库合一部署"),
            NodeSpec(R.SECURITY, "lghy-fw01", "10.18.38.2", SANGFOR_AF, "社区出口防火墙"),
        ),
    ),
    DeploymentSpec(
        client_code="hyjd",
        name="网格化社会治理平台（生产环境）",
        site="街道机房",
        product_code=GRID_GOVERNANCE,
        version="1.3.0",
        environment=PROD,
        url="https://wgzl.hyjd.gov.example/",
        went_live_on=dt.date(2025, 8, 28),
        nodes=(
            NodeSpec(R.WEB, "hyjd-wg-web01", "10.18.40.10", EULER, "4 核 / 8 GB / 100 GB"),
            NodeSpec(R.APPLICATION, "hyjd-wg-app01", "10.18.40.11", EULER, "16 核 / 32 GB / 300 GB"),
            NodeSpec(R.CACHE, "hyjd-wg-cache01", "10.18.40.15", EULER, "4 核 / 16 GB / 100 GB", "Redis 7"),
            NodeSpec(R.DATABASE, "hyjd-wg-db01", "10.18.40.21", EULER, "16 核 / 64 GB / 2 TB SSD", "PostgreSQL 15"),
            NodeSpec(
                R.TERMINAL, "hyjd-dp01", "10.18.40.50", "Windows 10 企业版 LTSC", "大屏控制主机", "综治中心指挥大屏"
            ),
            NodeSpec(R.NETWORK, "hyjd-core-sw01", "10.18.40.1", HUAWEI_VRP, "S5735 三层交换机"),
        ),
    ),
    DeploymentSpec(
        client_code="hz-syzx",
        name="智慧校园管理系统（生产环境）",
        site="信息中心机房",
        product_code=SMART_CAMPUS,
        version="2.0.4",
        environment=PROD,
        url="https://campus.syzx.edu.example/",
        went_live_on=dt.date(2025, 9, 1),
        nodes=(
            NodeSpec(R.WEB, "syzx-web01", "172.16.10.10", CENTOS, "4 核 / 8 GB / 100 GB"),
            NodeSpec(R.APPLICATION, "syzx-app01", "172.16.10.11", CENTOS, "8 核 / 16 GB / 300 GB"),
            NodeSpec(R.DATABASE, "syzx-db01", "172.16.10.21", WINDOWS, "8 核 / 32 GB / 1 TB", "SQL Server 2019"),
            NodeSpec(
                R.TERMINAL, "syzx-kq-gw01", "172.16.10.40", "嵌入式 Linux", "人脸考勤终端网关", "连接 24 台考勤终端"
            ),
            NodeSpec(R.NETWORK, "syzx-sw01", "172.16.10.1", "锐捷 RGOS 11.4", "S5750 核心交换机"),
        ),
    ),
    DeploymentSpec(
        client_code="hz-syzx",
        name="智慧校园管理系统（测试环境）",
        site="信息中心机房",
        product_code=SMART_CAMPUS,
        version="2.0.4",
        environment=TEST,
        url="http://172.16.10.60:8080/",
        went_live_on=dt.date(2025, 8, 20),
        nodes=(NodeSpec(R.APPLICATION, "syzx-test01", "172.16.10.60", EULER, "4 核 / 8 GB / 200 GB"),),
    ),
    DeploymentSpec(
        client_code="hz-eryuan",
        name="医院后勤一体化管理系统（生产环境）",
        site="信息科机房",
        product_code=HOSPITAL_LOGISTICS,
        version="2.2.1",
        environment=PROD,
        url="http://192.168.50.20/",
        went_live_on=dt.date(2026, 7, 1),
        notes="试运行中，尚未终验。",
        nodes=(
            NodeSpec(R.APPLICATION, "eryuan-hq-app01", "192.168.50.20", WINDOWS, "8 核 / 16 GB / 300 GB"),
            NodeSpec(R.DATABASE, "eryuan-hq-db01", "192.168.50.21", WINDOWS, "8 核 / 32 GB / 1 TB", "SQL Server 2019"),
            NodeSpec(
                R.NETWORK,
                "eryuan-iot-gw01",
                "192.168.50.30",
                "嵌入式 Linux",
                "能耗采集网关",
                "采集各楼层电表、水表数据",
            ),
            NodeSpec(R.SECURITY, "eryuan-fw01", "192.168.50.1", SANGFOR_AF, "内网边界防火墙"),
        ),
    ),
    DeploymentSpec(
        client_code="hrwy",
        name="物业协同平台（生产环境）",
        site="公司机房",
        product_code=COMMUNITY_PLATFORM,
        version="2.8.0",
        environment=PROD,
        url="http://192.168.10.20/",
        went_live_on=dt.date(2023, 10, 16),
        notes="运维合同已到期，续签洽谈中；期间仅提供有偿服务。",
        nodes=(
            NodeSpec(R.APPLICATION, "hrwy-app01", "192.168.10.20", WINDOWS, "4 核 / 16 GB / 500 GB"),
            NodeSpec(R.DATABASE, "hrwy-db01", "192.168.10.21", CENTOS, "4 核 / 16 GB / 1 TB", "MySQL 5.7"),
        ),
    ),
)
