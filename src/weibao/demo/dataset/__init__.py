"""The demo data set (R3 client archive): plain specs, no database access.

``weibao.demo.loader`` writes these into the database.
"""

from weibao.demo.dataset.catalog import PRODUCTS
from weibao.demo.dataset.clients import CLIENTS
from weibao.demo.dataset.contracts import CONTRACTS
from weibao.demo.dataset.deployments import DEPLOYMENTS
from weibao.demo.dataset.files import FILES
from weibao.demo.dataset.people import ADMIN_USERNAME, CLIENT_LOGIN, STAFF_LOGIN, USERS

__all__ = [
    "ADMIN_USERNAME",
    "CLIENTS",
    "CLIENT_LOGIN",
    "CONTRACTS",
    "DEPLOYMENTS",
    "FILES",
    "PRODUCTS",
    "STAFF_LOGIN",
    "USERS",
]
