"""Chinese and mixed-language search over articles and requests (see docs/adr/0007)."""

from weibao.knowledge.search.engine import Filters, Hit, Results, search
from weibao.knowledge.search.index import Document, document_index, document_remove, source_register
from weibao.knowledge.search.segment import query_terms, segment

__all__ = [
    "Document",
    "Filters",
    "Hit",
    "Results",
    "document_index",
    "document_remove",
    "query_terms",
    "search",
    "segment",
    "source_register",
]
