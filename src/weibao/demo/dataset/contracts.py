"""Demo contracts, chosen so that on 2026-11-22 every phase is present.

Not yet accepted: HZ-YW-2026-021, HZ-JS-2026-009; in warranty: HZ-JS-2024-003,
HZ-JS-2025-006; after warranty: HZ-YW-2025-012, HZ-YW-2025-018, HZ-JS-2025-015;
expired: HZ-JS-2023-007, HZ-JS-2023-011, HZ-YW-2023-004.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from weibao.contracts.models import Contract, DepositEntry
from weibao.demo.dataset.specs import ContractSpec, LedgerSpec

H24, H5X8, H7X12 = Contract.ServiceHours.ALWAYS, Contract.ServiceHours.WORKING, Contract.ServiceHours.EXTENDED
PAYMENT, PENALTY, REFUND = DepositEntry.Kind.PAYMENT, DepositEntry.Kind.PENALTY, DepositEntry.Kind.REFUND
PENALTY_PER_MISS = Decimal("500")

SCOPE_PLATFORM = (
    "1. 软件改错性维护、适应性维护和完善性维护，性能调优与版本升级；\n"
    "2. 热线电话、邮件、微信等方式的操作答疑，保证 7×24 小时可联系到项目经理；\n"
    "3. 历史数据处理与错误数据修改，须经甲方负责人确认后执行；\n"
    "4. 制定和完善备份策略，配合甲方完成日常备份；\n"
    "5. 每季度现场巡检一次，提交含系统运行状态、已解决和未解决问题的巡检报告；\n"
    "6. 重大活动等特殊时期开展远程或现场值班保障。"
)
SCOPE_RESIDENT = (
    SCOPE_PLATFORM + "\n7. 安排驻点工程师在社区现场办公，汇总社区提出的软件和数据问题，问题解决后向用户反馈并培训使用。"
)
SCOPE_SYSTEM = (
    "1. 接到报修通知后 1 小时内响应，重大故障 4 小时内修复；\n"
    "2. 电话问题 1 小时内、邮件问题 2 小时内答复；\n"
    "3. 故障分为一至四级，未在规定时限内恢复的自动升级；\n"
    "4. 提供实施、设计、测试、安装、用户操作和系统维护等全套技术文档；\n"
    "5. 质保期内提供系统性能优化服务。"
)
POST_WARRANTY_TERMS = (
    "质保期满后，合同约定范围内的系统维护（改错性维护、操作答疑、数据维护、日常巡检）继续免费提供，需求变更除外；"
    "个性化修改、新增功能和系统扩容属有偿服务，费用由双方按工作量另行协商确定。"
)
PAID_ONLY_TERMS = "服务期满未续签的，按次提供有偿技术服务，费用按人天标准另行结算。"


def _paid(amount: str, on: dt.date, reference: str, reason: str = "质保金到账") -> LedgerSpec:
    return LedgerSpec(PAYMENT, Decimal(amount), on, reason, reference)


CONTRACTS: tuple[ContractSpec, ...] = (
    ContractSpec(
        client_code="hz-mzj",
        number="HZ-JS-2024-003",
        title="区级社区综合服务平台建设及质保合同",
        signed_on=dt.date(2024, 3, 15),
        accepted_on=dt.date(2024, 9, 30),
        warranty_months=36,
        ends_on=None,
        scope=SCOPE_PLATFORM,
        post_warranty_terms=POST_WARRANTY_TERMS,
        service_hours=H24,
        amount=Decimal("1860000.00"),
        deposit_amount=Decimal("50000.00"),
        penalty_per_miss=PENALTY_PER_MISS,
        deployments=("区级社区综合服务平台（生产环境）", "区级社区综合服务平台（测试环境）"),
        resident_engineers=("chenhao",),
        ledger=(
            _paid("50000.00", dt.date(2024, 10, 15), "回单号 HZCZ-20241015-0032"),
            LedgerSpec(
                PENALTY,
                -PENALTY_PER_MISS,
                dt.date(2026, 3, 12),
                "3 月 12 日 22:40 报修电话未在 1 小时内响应（合同第 6.2 条）",
                "WB-2026-0087 首次响应超时",
                "马卫东",
            ),
            LedgerSpec(
                PENALTY,
                -PENALTY_PER_MISS,
                dt.date(2026, 8, 5),
                "二级故障（统计报表无法生成）未在 12 小时内恢复",
                "WB-2026-0412 恢复超时",
                "马卫东",
            ),
        ),
    ),
    ContractSpec(
        client_code="hz-zsj",
        number="HZ-YW-2026-021",
        title="政务协同办公系统信创升级及运维服务合同",
        signed_on=dt.date(2026, 9, 10),
        accepted_on=None,
        warranty_months=12,
        ends_on=None,
        scope=SCOPE_SYSTEM,
        post_warranty_terms=POST_WARRANTY_TERMS,
        service_hours=H24,
        amount=Decimal("980000.00"),
        deposit_amount=Decimal("30000.00"),
        penalty_per_miss=PENALTY_PER_MISS,
        deployments=("政务协同办公系统（生产环境）", "政务协同办公系统（培训环境）"),
        ledger=(
            _paid(
                "30000.00", dt.date(2026, 9, 25), "回单号 HZCZ-20260925-0107", "履约保证金到账，验收合格后转为质保金"
            ),
        ),
        notes="5.0.0 试运行中，计划 2026 年 12 月组织终验。",
    ),
    ContractSpec(
        client_code="mrxc",
        number="HZ-JS-2023-007",
        title="明日星城社区综合服务平台建设及质保合同",
        signed_on=dt.date(2023, 5, 10),
        accepted_on=dt.date(2023, 9, 20),
        warranty_months=12,
        ends_on=dt.date(2024, 12, 31),
        scope=SCOPE_RESIDENT,
        post_warranty_terms=POST_WARRANTY_TERMS,
        service_hours=H7X12,
        amount=Decimal("420000.00"),
        deposit_amount=Decimal("20000.00"),
        penalty_per_miss=PENALTY_PER_MISS,
        deployments=("明日星城社区综合服务平台（生产环境）",),
        ledger=(
            _paid("20000.00", dt.date(2023, 10, 10), "回单号 HZCZ-20231010-0015"),
            LedgerSpec(
                REFUND,
                Decimal("-20000.00"),
                dt.date(2025, 1, 20),
                "服务期满，期内无扣罚，质保金全额退还",
                "退款回单 HZCZ-20250120-0006",
                "刘建华",
            ),
        ),
    ),
    ContractSpec(
        client_code="mrxc",
        number="HZ-YW-2025-012",
        title="明日星城社区综合服务平台运维服务合同",
        signed_on=dt.date(2025, 1, 8),
        accepted_on=dt.date(2025, 3, 1),
        warranty_months=12,
        ends_on=dt.date(2027, 12, 31),
        scope=SCOPE_RESIDENT,
        post_warranty_terms=POST_WARRANTY_TERMS,
        service_hours=H7X12,
        amount=Decimal("168000.00"),
        deposit_amount=Decimal("10000.00"),
        penalty_per_miss=PENALTY_PER_MISS,
        deployments=("明日星城社区综合服务平台（生产环境）", "明日星城社区综合服务平台（测试环境）"),
        resident_engineers=("liuyang",),
        ledger=(_paid("10000.00", dt.date(2025, 3, 20), "回单号 HZCZ-20250320-0041"),),
    ),
    ContractSpec(
        client_code="chy",
        number="HZ-YW-2025-018",
        title="翠湖苑社区综合服务平台推广部署及运维服务合同",
        signed_on=dt.date(2025, 6, 1),
        accepted_on=dt.date(2025, 7, 15),
        warranty_months=12,
        ends_on=dt.date(2027, 6, 30),
        scope=SCOPE_PLATFORM,
        post_warranty_terms=POST_WARRANTY_TERMS,
        service_hours=H7X12,
        amount=Decimal("236000.00"),
        deposit_amount=Decimal("10000.00"),
        penalty_per_miss=PENALTY_PER_MISS,
        deployments=("翠湖苑社区综合服务平台（生产环境）",),
        ledger=(_paid("10000.00", dt.date(2025, 8, 5), "回单号 HZCZ-20250805-0022"),),
    ),
    ContractSpec(
        client_code="lghy",
        number="HZ-JS-2023-011",
        title="临港花园社区综合服务平台建设及质保合同",
        signed_on=dt.date(2023, 8, 25),
        accepted_on=dt.date(2023, 12, 20),
        warranty_months=12,
        ends_on=dt.date(2025, 12, 31),
        scope=SCOPE_PLATFORM,
        post_warranty_terms=POST_WARRANTY_TERMS,
        service_hours=H7X12,
        amount=Decimal("380000.00"),
        deposit_amount=Decimal("15000.00"),
        penalty_per_miss=PENALTY_PER_MISS,
        deployments=("临港花园社区综合服务平台（生产环境）",),
        ledger=(_paid("15000.00", dt.date(2024, 1, 10), "回单号 HZCZ-20240110-0003"),),
        notes="服务已到期，质保金退还手续办理中；续签运维合同洽谈中。",
    ),
    ContractSpec(
        client_code="hyjd",
        number="HZ-JS-2025-006",
        title="海源街道网格化社会治理平台建设及质保合同",
        signed_on=dt.date(2025, 3, 20),
        accepted_on=dt.date(2025, 8, 28),
        warranty_months=36,
        ends_on=None,
        scope=SCOPE_SYSTEM,
        post_warranty_terms=POST_WARRANTY_TERMS,
        service_hours=H24,
        amount=Decimal("1250000.00"),
        deposit_amount=Decimal("50000.00"),
        penalty_per_miss=PENALTY_PER_MISS,
        deployments=("网格化社会治理平台（生产环境）",),
        resident_engineers=("chenhao",),
        ledger=(_paid("50000.00", dt.date(2025, 9, 18), "回单号 HZCZ-20250918-0058"),),
    ),
    ContractSpec(
        client_code="hz-syzx",
        number="HZ-JS-2025-015",
        title="智慧校园管理系统建设及质保合同",
        signed_on=dt.date(2025, 5, 12),
        accepted_on=dt.date(2025, 9, 1),
        warranty_months=12,
        ends_on=dt.date(2027, 8, 31),
        scope=SCOPE_SYSTEM,
        post_warranty_terms=POST_WARRANTY_TERMS,
        service_hours=H5X8,
        amount=Decimal("760000.00"),
        deposit_amount=Decimal("30000.00"),
        penalty_per_miss=PENALTY_PER_MISS,
        deployments=("智慧校园管理系统（生产环境）", "智慧校园管理系统（测试环境）"),
        ledger=(_paid("30000.00", dt.date(2025, 9, 26), "回单号 HZJY-20250926-0011"),),
    ),
    ContractSpec(
        client_code="hz-eryuan",
        number="HZ-JS-2026-009",
        title="医院后勤一体化管理系统建设及质保合同",
        signed_on=dt.date(2026, 6, 18),
        accepted_on=None,
        warranty_months=12,
        ends_on=None,
        scope=SCOPE_SYSTEM,
        post_warranty_terms=POST_WARRANTY_TERMS,
        service_hours=H24,
        amount=Decimal("690000.00"),
        deposit_amount=Decimal("40000.00"),
        penalty_per_miss=PENALTY_PER_MISS,
        deployments=("医院后勤一体化管理系统（生产环境）",),
        ledger=(
            _paid("40000.00", dt.date(2026, 7, 3), "回单号 HZWJ-20260703-0009", "履约保证金到账，验收合格后转为质保金"),
        ),
    ),
    ContractSpec(
        client_code="hrwy",
        number="HZ-YW-2023-004",
        title="物业协同平台运维服务合同",
        signed_on=dt.date(2023, 8, 20),
        accepted_on=dt.date(2023, 10, 16),
        warranty_months=12,
        ends_on=dt.date(2025, 10, 15),
        scope="1. 物业协同模块的改错性维护与操作答疑；\n2. 工作日 9:00–17:30 远程技术支持；\n3. 每半年现场巡检一次。",
        post_warranty_terms=PAID_ONLY_TERMS,
        service_hours=H5X8,
        amount=Decimal("86000.00"),
        deposit_amount=Decimal("8000.00"),
        penalty_per_miss=PENALTY_PER_MISS,
        deployments=("物业协同平台（生产环境）",),
        ledger=(_paid("8000.00", dt.date(2023, 11, 2), "回单号 HRWY-20231102-0001"),),
    ),
)
