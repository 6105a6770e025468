"""Every write to the client archive (R3).

Each service is keyword-only, runs in a transaction, validates with ``full_clean``
(ValidationError naming the field) and writes an event with the owning client's
id. Client-side users never write: on their own client's objects they get
PermissionDeniedError (403), on another client's ObjectNotFoundError (404).
"""

from weibao.customers.services.clients import (
    client_create,
    client_delete,
    client_update,
    contact_create,
    contact_delete,
    contact_update,
    site_create,
    site_delete,
    site_update,
)
from weibao.customers.services.deployments import (
    deployment_create,
    deployment_delete,
    deployment_update,
    node_create,
    node_delete,
    node_update,
)
from weibao.customers.services.technical_files import (
    technical_file_create,
    technical_file_delete,
    technical_file_update,
    upload_errors,
)

__all__ = [
    "client_create",
    "client_delete",
    "client_update",
    "contact_create",
    "contact_delete",
    "contact_update",
    "deployment_create",
    "deployment_delete",
    "deployment_update",
    "node_create",
    "node_delete",
    "node_update",
    "site_create",
    "site_delete",
    "site_update",
    "technical_file_create",
    "technical_file_delete",
    "technical_file_update",
    "upload_errors",
]
