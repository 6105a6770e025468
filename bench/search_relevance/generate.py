"""A deterministic knowledge-base corpus and labelled queries for the search relevance bench.

    python bench/search_relevance/generate.py [--out bench/search_relevance]

Writes ``corpus.jsonl`` (one article a line: id, title, body) and ``queries.jsonl``
(query, relevant article ids, the kind of query). The vocabulary is the field's, as
the service documents in the project's seeds word it (系统宕机, 政务外网, 数据库,
中间件, 证书, 备份, 巡检 …), plus the products and error codes a help desk meets.
Each article is one component with one symptom; queries paraphrase that problem the
way a caller would: a synonym of the symptom, part of the component's name, a
spoken phrasing, an error code, or English mixed in. Same seed, same files.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

# (component, short names a caller uses, product family)
COMPONENTS = [
    ("Nginx 反向代理", ["nginx", "Nginx", "反向代理"]),
    ("Tomcat 应用服务器", ["tomcat", "Tomcat", "应用服务器"]),
    ("Oracle 数据库", ["oracle", "Oracle", "数据库"]),
    ("MySQL 数据库", ["mysql", "MySQL"]),
    ("Redis 缓存", ["redis", "Redis", "缓存"]),
    ("政务外网专线", ["政务外网", "外网专线", "专线"]),
    ("核心交换机", ["交换机", "核心交换"]),
    ("边界防火墙", ["防火墙", "firewall"]),
    ("堡垒机", ["堡垒机", "运维审计"]),
    ("负载均衡设备", ["负载均衡", "F5"]),
    ("社区综合服务平台", ["社区平台", "综合服务平台"]),
    ("门户网站", ["门户", "网站"]),
    ("统一身份认证", ["统一认证", "单点登录", "SSO"]),
    ("短信网关", ["短信", "短信平台"]),
    ("支付接口", ["支付", "缴费接口"]),
    ("备份服务器", ["备份", "备份机"]),
    ("存储阵列", ["存储", "磁盘阵列"]),
    ("虚拟化平台", ["虚拟机", "VMware"]),
    ("网闸", ["网闸", "隔离网闸"]),
    ("移动办公 App", ["App", "手机端", "移动端"]),
    ("数据交换平台", ["数据交换", "交换平台"]),
    ("电子签章服务", ["电子签章", "签章"]),
]

# (symptom as the article words it, what callers say instead, what the article says about cause and fix)
SYMPTOMS = [
    ("宕机", ["挂了", "停止响应", "down 了"], "进程异常退出导致服务不可用", "检查进程状态并按顺序重启服务"),
    ("502 错误", ["Bad Gateway", "网关报错", "502"], "上游服务未响应，代理返回 502", "检查上游端口和超时配置"),
    ("登录失败", ["登不上", "无法登录", "登录报错"], "账号被锁定或密码错误次数过多", "在管理后台解锁账号并重置密码"),
    ("响应缓慢", ["很卡", "特别慢", "卡顿"], "连接池耗尽或慢查询堆积", "扩大连接池并优化慢查询"),
    ("证书过期", ["https 报错", "证书失效", "SSL 告警"], "SSL 证书超过有效期", "申请新证书并替换证书文件后重载"),
    ("磁盘空间不足", ["磁盘满了", "存储爆满", "空间告警"], "日志文件未轮转占满磁盘", "清理历史日志并配置日志轮转"),
    ("连接超时", ["连不上", "timeout", "超时"], "网络策略变更导致端口不通", "核对防火墙策略并放通端口"),
    ("数据同步失败", ["数据没同步", "同步异常", "数据不一致"], "同步任务中断或队列积压", "重新执行同步任务并核对数据"),
    ("页面白屏", ["打不开页面", "页面空白", "白屏"], "前端资源加载失败", "清除浏览器缓存并检查静态资源地址"),
    ("内存溢出", ["OOM", "内存不够", "内存爆了"], "堆内存设置过小或存在内存泄漏", "调整堆内存参数并分析内存快照"),
    ("备份失败", ["没备份成功", "备份报错", "备份中断"], "备份路径权限不足或空间不够", "检查备份目录权限和剩余空间"),
    ("配置丢失", ["配置没了", "参数被重置", "配置被覆盖"], "升级时配置文件被覆盖", "从配置备份恢复并纳入变更管理"),
]

PHRASINGS = ["{c}{s}怎么办", "{c} {s}", "{s}了，{c}怎么处理", "请问{c}{s}如何解决", "{c}一直{s}", "{s} {c}"]


def build(seed: int = 20261122) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    rng = random.Random(seed)
    articles: list[dict[str, object]] = []
    queries: list[dict[str, object]] = []
    number = 0
    for component, names in COMPONENTS:
        for symptom, synonyms, cause, fix in SYMPTOMS:
            number += 1
            code = f"E{rng.randint(1000, 9999)}-{number:03d}"
            mentioned = rng.sample(synonyms, 1)[0]
            title = rng.choice(
                [f"{component}{symptom}的处理方法", f"{component}出现{symptom}", f"如何处理{component}{symptom}"]
            )
            body = (
                f"现象：{component}{symptom}，用户反馈{mentioned}，日志中出现错误码 {code}。"
                f"原因：{cause}。处理步骤：{fix}；处理完成后在巡检记录中登记，并通知客户确认。"
                f"适用范围：{names[0]} 相关部署。"
            )
            articles.append({"id": number, "title": title, "body": body})
            name = rng.choice(names)
            other = rng.choice([s for s in synonyms if s != mentioned] or synonyms)
            picks = [
                ("paraphrase", rng.choice(PHRASINGS).format(c=name, s=other)),
                ("words", f"{name} {symptom}"),
            ]
            if rng.random() < 0.25:
                picks.append(("code", code))
            for kind, text in picks:
                queries.append({"query": text, "relevant": [number], "kind": kind})
    return articles, queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(Path(__file__).parent))
    args = parser.parse_args()
    articles, queries = build()
    out = Path(args.out)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for article in articles:
            handle.write(json.dumps(article, ensure_ascii=False) + "\n")
    with (out / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for query in queries:
            handle.write(json.dumps(query, ensure_ascii=False) + "\n")
    print(f"{len(articles)} articles, {len(queries)} queries written to {out}")


if __name__ == "__main__":
    main()
