"""Chinese and mixed-text segmentation shared by indexing and querying.

One function turns text into space-separated search terms; the same function runs
on documents and on queries, so both sides agree on what a term is. rjieba's
search-mode cut gives Chinese words and their sub-words (服务器 → 服务, 服务器);
Latin is lower-cased; codes that carry punctuation (WB-20261121-0007, ORA-12541,
v2.3.1) give their parts and the joined form, so each part and the whole code match.
Every term is letters, digits and CJK only, which both FTS5's unicode61 tokenizer
and PostgreSQL's ``simple`` parser keep as one word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import rjieba

_WORD = re.compile(r"[^\W_]+")
_HAS_WORD = re.compile(r"[^\W_]")
# Words a question is phrased with that say nothing about its subject; dropped
# from queries only (documents keep every term).
_STOPWORDS = (
    "的 了 吗 呢 吧 啊 呀 是 在 和 与 及 或 我 你 他 我们 你们 请问 请 一下 怎么 怎么办 怎样 如何 什么 为什么 "
    "能 能否 可以 是否 有 没有 出现 这个 那个 一个 时候 问题 a an the of to is are and or in on for how what why"
)
QUERY_STOPWORDS = frozenset(_STOPWORDS.split(" "))
# Terms of the field that rjieba would otherwise cut apart.
VOCABULARY = (
    "宕机",
    "白屏",
    "闪退",
    "卡顿",
    "数据库",
    "中间件",
    "负载均衡",
    "堡垒机",
    "工单",
    "等保",
    "巡检",
    "扩容",
    "回滚",
    "补丁",
    "证书",
    "接口",
    "网闸",
    "政务外网",
)
for _word in VOCABULARY:
    rjieba.add_word(_word, None, None)


def add_words(words: Iterable[str]) -> None:
    """Teach the segmenter whole words (product names, say) so they stay one term."""
    for word in words:
        name = word.strip()
        if name and not rjieba.has_word(name):
            rjieba.add_word(name, None, None)


def terms(text: str) -> list[str]:
    """The search terms of ``text`` in order, repeated terms kept (they weigh in ranking)."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for token in rjieba.cut_for_search(text):
        if not _HAS_WORD.search(token):
            continue
        parts = _WORD.findall(token)
        out.extend(parts)
        if len(parts) > 1:
            out.append("".join(parts))
    return out


def segment(text: str) -> str:
    """``text`` as space-separated search terms (what the index stores)."""
    return " ".join(terms(text))


def query_terms(query: str) -> list[str]:
    """The distinct terms a query asks for, in order, without phrasing words.

    A query made only of phrasing words keeps them rather than asking for nothing.
    """
    seen: dict[str, None] = {}
    for term in terms(query):
        seen.setdefault(term, None)
    words = list(seen)
    meaningful = [w for w in words if w not in QUERY_STOPWORDS]
    return meaningful or words
