"""Technical files per client, generated from the other demo specs."""

from __future__ import annotations

from weibao.customers.models import TechnicalFile
from weibao.demo.dataset import documents
from weibao.demo.dataset.catalog import PRODUCTS
from weibao.demo.dataset.clients import CLIENTS
from weibao.demo.dataset.contracts import CONTRACTS
from weibao.demo.dataset.deployments import DEPLOYMENTS
from weibao.demo.dataset.specs import FileSpec

K = TechnicalFile.Kind
MARKDOWN, CSV, TEXT = "text/markdown", "text/csv", "text/plain"

_CLIENT = {client.code: client for client in CLIENTS}
_DEPLOYMENT = {(d.client_code, d.name): d for d in DEPLOYMENTS}
_CONTRACT = {contract.number: contract for contract in CONTRACTS}
_PRODUCT_NAME = {product.code: product.name for product in PRODUCTS}


def _manual(client_code: str, deployment_name: str) -> FileSpec:
    deployment = _DEPLOYMENT[client_code, deployment_name]
    title = f"{deployment_name}部署手册"
    content = documents.deployment_manual(_CLIENT[client_code], deployment, _PRODUCT_NAME[deployment.product_code])
    return FileSpec(client_code, title, K.INSTALLATION, f"{title}.md", MARKDOWN, content, deployment_name, "zhoubin")


def _diagram(client_code: str, deployment_name: str) -> FileSpec:
    deployment = _DEPLOYMENT[client_code, deployment_name]
    title = f"{deployment_name}网络拓扑图"
    content = documents.network_diagram(deployment)
    return FileSpec(client_code, title, K.NETWORK, f"{title}.txt", TEXT, content, deployment_name, "zhoubin")


def _dictionary(client_code: str, product_code: str) -> FileSpec:
    title = f"{_PRODUCT_NAME[product_code]}数据字典"
    content = documents.data_dictionary(product_code)
    return FileSpec(client_code, title, K.DATA_DICTIONARY, f"{title}.csv", CSV, content, "", "chenhao")


def _acceptance(number: str) -> FileSpec:
    contract = _CONTRACT[number]
    title = f"{contract.title}验收报告"
    content = documents.acceptance_report(_CLIENT[contract.client_code], contract)
    return FileSpec(contract.client_code, title, K.ACCEPTANCE, f"{title}.txt", TEXT, content, "", "wangjing")


def _user_manual(client_code: str, deployment_name: str) -> FileSpec:
    deployment = _DEPLOYMENT[client_code, deployment_name]
    product_name = _PRODUCT_NAME[deployment.product_code]
    title = f"{product_name}用户操作手册"
    content = documents.user_manual(product_name, deployment.version)
    return FileSpec(client_code, title, K.USER_MANUAL, f"{title}.md", MARKDOWN, content, deployment_name, "liyan")


def _inspection(client_code: str, deployment_name: str, quarter: str) -> FileSpec:
    deployment = _DEPLOYMENT[client_code, deployment_name]
    title = f"{quarter}巡检报告"
    content = documents.inspection_report(_CLIENT[client_code], deployment, quarter)
    return FileSpec(client_code, title, K.OTHER, f"{title}.txt", TEXT, content, deployment_name, "liuyang")


MZJ_PROD = "区级社区综合服务平台（生产环境）"
MRXC_PROD = "明日星城社区综合服务平台（生产环境）"

FILES: tuple[FileSpec, ...] = (
    _manual("hz-mzj", MZJ_PROD),
    _diagram("hz-mzj", MZJ_PROD),
    _dictionary("hz-mzj", "community-platform"),
    _acceptance("HZ-JS-2024-003"),
    _manual("hz-zsj", "政务协同办公系统（生产环境）"),
    _diagram("hz-zsj", "政务协同办公系统（生产环境）"),
    _manual("mrxc", MRXC_PROD),
    _diagram("mrxc", MRXC_PROD),
    _acceptance("HZ-JS-2023-007"),
    _inspection("mrxc", MRXC_PROD, "2026 年第三季度"),
    _manual("chy", "翠湖苑社区综合服务平台（生产环境）"),
    _acceptance("HZ-YW-2025-018"),
    _manual("lghy", "临港花园社区综合服务平台（生产环境）"),
    _acceptance("HZ-JS-2023-011"),
    _diagram("hyjd", "网格化社会治理平台（生产环境）"),
    _dictionary("hyjd", "grid-governance"),
    _acceptance("HZ-JS-2025-006"),
    _manual("hz-syzx", "智慧校园管理系统（生产环境）"),
    _user_manual("hz-syzx", "智慧校园管理系统（生产环境）"),
    _acceptance("HZ-JS-2025-015"),
    _manual("hz-eryuan", "医院后勤一体化管理系统（生产环境）"),
    _diagram("hz-eryuan", "医院后勤一体化管理系统（生产环境）"),
    _manual("hrwy", "物业协同平台（生产环境）"),
    _acceptance("HZ-YW-2023-004"),
)
