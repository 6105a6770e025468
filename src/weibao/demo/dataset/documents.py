"""Small generated technical documents, written from the demo specs.

They are short, but say the same things as the archive rows they belong to
(host names, addresses, versions, dates), so the demo reads as one story.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from weibao.customers.models import DeploymentNode
from weibao.demo.dataset.specs import ClientSpec, ContractSpec, DeploymentSpec, NodeSpec

ROLE_LABELS: dict[str, str] = {
    DeploymentNode.Role.APPLICATION: "应用服务器",
    DeploymentNode.Role.DATABASE: "数据库服务器",
    DeploymentNode.Role.WEB: "Web / 反向代理",
    DeploymentNode.Role.CACHE: "缓存服务器",
    DeploymentNode.Role.STORAGE: "存储设备",
    DeploymentNode.Role.NETWORK: "网络设备",
    DeploymentNode.Role.SECURITY: "安全设备",
    DeploymentNode.Role.TERMINAL: "终端",
    DeploymentNode.Role.OTHER: "其他",
}

DATA_DICTIONARY_TABLES: dict[str, tuple[tuple[str, str, str, str, str], ...]] = {
    "community-platform": (
        ("sq_resident", "id", "bigint", "", "居民主键"),
        ("sq_resident", "id_card_no", "varchar", "18", "公民身份号码（加密存储）"),
        ("sq_resident", "name", "varchar", "50", "姓名"),
        ("sq_resident", "house_id", "bigint", "", "所在房屋，关联 sq_house.id"),
        ("sq_resident", "is_party_member", "boolean", "", "是否党员"),
        ("sq_building", "id", "bigint", "", "建筑主键"),
        ("sq_building", "grid_code", "varchar", "20", "所属网格编码"),
        ("sq_building", "address", "varchar", "200", "标准地址"),
        ("sq_house", "id", "bigint", "", "房屋主键"),
        ("sq_house", "building_id", "bigint", "", "所属建筑，关联 sq_building.id"),
        ("sq_house", "usage", "varchar", "10", "房屋用途：自住、出租、空置、商用"),
        ("sq_volunteer", "service_hours", "numeric", "8,1", "累计服务时长（小时）"),
    ),
    "grid-governance": (
        ("wg_grid", "code", "varchar", "20", "网格编码"),
        ("wg_grid", "name", "varchar", "100", "网格名称"),
        ("wg_grid", "keeper_id", "bigint", "", "专职网格员"),
        ("wg_event", "id", "bigint", "", "事件主键"),
        ("wg_event", "category", "varchar", "20", "事件类别：矛盾纠纷、安全隐患、环境卫生等"),
        ("wg_event", "reported_at", "timestamptz", "", "上报时间"),
        ("wg_event", "status", "varchar", "10", "状态：待分拨、处置中、已办结、已归档"),
        ("wg_event", "deadline", "timestamptz", "", "办结时限"),
    ),
}


def _chinese_date(day: dt.date | None) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日" if day else "未上线"


def deployment_manual(client: ClientSpec, deployment: DeploymentSpec, product_name: str) -> str:
    """A short Markdown deployment manual listing the deployment's servers and devices."""
    lines = [
        f"# {deployment.name}部署手册",
        "",
        f"- 使用单位：{client.name}",
        f"- 产品及版本：{product_name} {deployment.version}",
        f"- 访问地址：{deployment.url}",
        f"- 上线日期：{_chinese_date(deployment.went_live_on)}",
        "",
        "## 一、服务器与设备清单",
        "",
        "| 角色 | 主机名 | IP 地址 | 操作系统 | 配置 |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {ROLE_LABELS[node.role]} | {node.hostname} | {node.address} | {node.os} | {node.specification} |"
        for node in deployment.nodes
    ]
    lines += [
        "",
        "## 二、部署步骤",
        "",
        "1. 核对操作系统版本、时钟同步（NTP）和防火墙策略；",
        "2. 安装数据库并导入初始化脚本，创建应用账号（最小权限）；",
        "3. 部署应用服务，修改配置文件中的数据库连接和附件存储路径；",
        "4. 配置反向代理与 HTTPS 证书，验证登录、业务办理和报表导出；",
        "5. 配置每日 02:00 全量备份，备份保留 30 天，每月抽查一次恢复。",
        "",
        "## 三、注意事项",
        "",
        "- 远程登录服务器须事先征得甲方同意，并登记操作人、时间和范围；",
        "- 升级前须在测试环境验证，并提前通知甲方业务部门。",
        "",
    ]
    return "\n".join(lines)


def network_diagram(deployment: DeploymentSpec) -> str:
    """A plain-text network diagram: edge devices on the trunk, servers under the switch."""
    edge_roles = {DeploymentNode.Role.SECURITY, DeploymentNode.Role.NETWORK}
    edge = sorted(
        (node for node in deployment.nodes if node.role in edge_roles), key=lambda node: node.role != "security"
    )
    inner = [node for node in deployment.nodes if node.role not in edge_roles]

    def label(node: NodeSpec) -> str:
        return f"{ROLE_LABELS[node.role]} {node.hostname}（{node.address}，{node.os}）"

    lines = [f"{deployment.name}网络拓扑图", "", "[政务外网 / 互联网]", "   │"]
    lines += [f"   ├─ {label(node)}" for node in edge]
    indent = "   │     " if edge else "   "
    lines += [f"{indent}{'└' if index == len(inner) - 1 else '├'}─ {label(node)}" for index, node in enumerate(inner)]
    lines += ["", f"访问地址：{deployment.url}", ""]
    return "\n".join(lines)


def data_dictionary(product_code: str) -> str:
    """A CSV data dictionary of the product's main tables."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["表名", "字段名", "类型", "长度", "说明"])
    writer.writerows(DATA_DICTIONARY_TABLES[product_code])
    return buffer.getvalue()


def acceptance_report(client: ClientSpec, contract: ContractSpec) -> str:
    """A plain-text acceptance record (验收报告) for a contract that was accepted."""
    if contract.accepted_on is None:
        raise ValueError(f"{contract.number} has not been accepted")
    return "\n".join(
        [
            f"{contract.title}验收报告",
            "",
            f"合同编号：{contract.number}",
            f"建设单位：{client.name}",
            f"验收日期：{_chinese_date(contract.accepted_on)}",
            f"验收范围：{'、'.join(contract.deployments)}",
            "",
            "验收结论：系统功能、性能和安全测试均满足合同及需求规格说明书要求，技术文档齐全，验收合格。",
            f"质保期：自验收合格之日起 {contract.warranty_months} 个月。",
            "",
            "遗留问题：无。",
            "",
            "建设单位（盖章）：                承建单位（盖章）：",
            "",
        ]
    )


def inspection_report(client: ClientSpec, deployment: DeploymentSpec, quarter: str) -> str:
    """A plain-text quarterly inspection report (季度巡检报告, R5.4)."""
    lines = [
        f"{client.name} {quarter}巡检报告",
        "",
        f"巡检对象：{deployment.name}（{deployment.version}）",
        "",
        "一、系统运行状态",
    ]
    lines += [f"  {node.hostname}（{node.address}）：运行正常" for node in deployment.nodes]
    lines += [
        "",
        "二、发现的问题",
        "  1. 数据库服务器磁盘使用率 78%，预计 6 个月后达到 85% 扩容阈值；",
        "  2. 备份存储中 2026 年 8 月前的备份文件未按策略清理。",
        "",
        "三、已解决问题",
        "  已清理过期备份文件，释放空间 1.2 TB。",
        "",
        "四、未解决问题及建议",
        "  建议在下季度前完成数据库服务器扩容方案，报社区负责人审批。",
        "",
    ]
    return "\n".join(lines)


def user_manual(product_name: str, version: str) -> str:
    """A short Markdown user manual."""
    return "\n".join(
        [
            f"# {product_name} {version} 用户操作手册",
            "",
            "## 登录",
            "使用统一身份认证账号登录；首次登录须修改初始密码。",
            "",
            "## 常见问题",
            "1. 忘记密码：联系本单位信息化专员重置；",
            "2. 页面显示异常：清除浏览器缓存后重试，仍有问题请拨打服务热线；",
            "3. 数据有误：通过“数据维护申请”提交，经负责人确认后由维护人员修改。",
            "",
        ]
    )
