"""Products and releases the demo vendor maintains."""

from __future__ import annotations

import datetime as dt

from weibao.demo.dataset.specs import ProductSpec, ReleaseSpec

COMMUNITY_PLATFORM = "community-platform"
SMART_CAMPUS = "smart-campus"
GOV_OFFICE = "gov-office"
GRID_GOVERNANCE = "grid-governance"
HOSPITAL_LOGISTICS = "hospital-logistics"

PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec(
        code=COMMUNITY_PLATFORM,
        name="社区综合服务平台",
        description=(
            "面向街道、社区的一体化业务平台：人口、建筑、房屋、单位、党员、志愿者等基础数据管理，"
            "居民事项受理与办理，社区活动与通知公告，数据统计分析。支持区、街道、社区三级部署。"
        ),
        releases=(
            ReleaseSpec(
                version="2.8.0",
                released_on=dt.date(2023, 9, 15),
                notes=(
                    "1. 新增志愿者信息管理与服务时长统计；\n"
                    "2. 人口信息支持按楼栋、单元批量导入；\n"
                    "3. 修复房屋信息列表在数据量较大时加载缓慢的问题。"
                ),
            ),
            ReleaseSpec(
                version="3.0.0",
                released_on=dt.date(2024, 6, 20),
                notes=(
                    "1. 全新界面，适配国产操作系统与浏览器；\n"
                    "2. 数据库支持达梦 DM8 与 PostgreSQL；\n"
                    "3. 统一基础数据标准（人口、建筑、房屋、单位），提供历史数据迁移工具；\n"
                    "4. 新增系统公告模块，软件优化完成后可通过公告通知各社区。"
                ),
            ),
            ReleaseSpec(
                version="3.1.2",
                released_on=dt.date(2025, 4, 10),
                notes=(
                    "1. 修复党员信息导出时组织关系字段缺失的问题；\n"
                    "2. 优化居民事项受理流程，减少重复录入；\n"
                    "3. 修复部分社区统计报表合计数不一致的问题（3 级缺陷）。"
                ),
            ),
            ReleaseSpec(
                version="3.2.0",
                released_on=dt.date(2026, 3, 1),
                notes=(
                    "1. 新增网格员走访记录与移动端签到；\n"
                    "2. 支持与区政务服务网对接统一身份认证；\n"
                    "3. 数据维护申请改为线上审批，需社区负责人确认后方可执行；\n"
                    "4. 数据库连接池与缓存策略调优，高峰期页面响应时间下降约 40%。"
                ),
            ),
        ),
    ),
    ProductSpec(
        code=SMART_CAMPUS,
        name="智慧校园管理系统",
        description="学校教务、学籍、排课、考勤、家校通知与校园资产管理的统一平台，支持统一身份认证与移动端。",
        releases=(
            ReleaseSpec(
                version="1.5.3",
                released_on=dt.date(2024, 2, 26),
                notes="1. 修复期末成绩批量录入偶发超时；\n2. 排课冲突检测增加教室容量校验。",
            ),
            ReleaseSpec(
                version="2.0.0",
                released_on=dt.date(2025, 8, 18),
                notes=(
                    "1. 新增家校通知（对接企业微信家校沟通）；\n"
                    "2. 学生考勤支持人脸识别终端接入；\n"
                    "3. 校园资产管理模块重构，支持资产盘点与报废流程。"
                ),
            ),
            ReleaseSpec(
                version="2.0.4",
                released_on=dt.date(2026, 1, 12),
                notes="1. 修复寒假期间考勤规则未生效的问题；\n2. 优化学籍信息导出格式，符合市教育局上报模板。",
            ),
        ),
    ),
    ProductSpec(
        code=GOV_OFFICE,
        name="政务协同办公系统",
        description="公文流转、督查督办、会议管理、信息报送和移动办公，支持电子签章与国产密码算法。",
        releases=(
            ReleaseSpec(
                version="4.2.0",
                released_on=dt.date(2023, 11, 8),
                notes="1. 公文流转支持并行会签；\n2. 新增督查督办事项到期提醒。",
            ),
            ReleaseSpec(
                version="4.3.1",
                released_on=dt.date(2025, 1, 15),
                notes="1. 修复电子签章在部分版式文件中位置偏移的问题；\n2. 会议室预约与视频会议系统对接。",
            ),
            ReleaseSpec(
                version="5.0.0",
                released_on=dt.date(2026, 7, 20),
                notes=(
                    "1. 全面适配信创环境（麒麟 V10、统信 UOS、达梦 DM8）；\n"
                    "2. 采用国密 SM2/SM3/SM4 算法保护公文传输与存储；\n"
                    "3. 新增移动办公端（对接政务钉钉）；\n"
                    "4. 历史公文归档迁移工具。"
                ),
            ),
        ),
    ),
    ProductSpec(
        code=GRID_GOVERNANCE,
        name="网格化社会治理平台",
        description="网格划分、网格员管理、事件上报与分拨处置、矛盾纠纷排查和综合指挥大屏。",
        releases=(
            ReleaseSpec(
                version="1.2.0",
                released_on=dt.date(2024, 4, 8),
                notes="1. 事件分拨支持按网格自动派单；\n2. 新增矛盾纠纷排查台账。",
            ),
            ReleaseSpec(
                version="1.3.0",
                released_on=dt.date(2025, 5, 26),
                notes=(
                    "1. 指挥大屏新增事件热力图；\n"
                    "2. 网格员移动端支持离线上报，联网后自动同步；\n"
                    "3. 修复事件超期未办结时督办提醒重复发送的问题。"
                ),
            ),
        ),
    ),
    ProductSpec(
        code=HOSPITAL_LOGISTICS,
        name="医院后勤一体化管理系统",
        description="设备报修、能耗监测、物资库房、医废转运和后勤工单的一体化管理。",
        releases=(
            ReleaseSpec(
                version="2.1.0",
                released_on=dt.date(2025, 10, 9),
                notes="1. 医废转运全流程追溯（科室交接、暂存、出院）；\n2. 设备报修支持扫码报修。",
            ),
            ReleaseSpec(
                version="2.2.1",
                released_on=dt.date(2026, 5, 28),
                notes="1. 能耗监测新增分楼层、分科室统计；\n2. 修复库房盘点差异报表金额四舍五入错误。",
            ),
        ),
    ),
)
