from django.urls import path

from weibao.customers.views import clients, deployments, files

app_name = "customers"
urlpatterns = [
    path("", clients.client_list, name="client_list"),
    path("new/", clients.client_create, name="client_create"),
    path("<int:pk>/", clients.client_detail, name="client_detail"),
    path("<int:pk>/edit/", clients.client_update, name="client_update"),
    path("<int:pk>/delete/", clients.client_delete, name="client_delete"),
    path("<int:client_pk>/sites/new/", clients.site_create, name="site_create"),
    path("sites/<int:pk>/edit/", clients.site_update, name="site_update"),
    path("sites/<int:pk>/delete/", clients.site_delete, name="site_delete"),
    path("<int:client_pk>/contacts/new/", clients.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", clients.contact_update, name="contact_update"),
    path("contacts/<int:pk>/delete/", clients.contact_delete, name="contact_delete"),
    path("deployments/", deployments.deployment_list, name="deployment_list"),
    path("<int:client_pk>/deployments/new/", deployments.deployment_create, name="deployment_create"),
    path("deployments/<int:pk>/", deployments.deployment_detail, name="deployment_detail"),
    path("deployments/<int:pk>/edit/", deployments.deployment_update, name="deployment_update"),
    path("deployments/<int:pk>/delete/", deployments.deployment_delete, name="deployment_delete"),
    path("deployments/<int:deployment_pk>/nodes/new/", deployments.node_create, name="node_create"),
    path("nodes/<int:pk>/edit/", deployments.node_update, name="node_update"),
    path("nodes/<int:pk>/delete/", deployments.node_delete, name="node_delete"),
    path("<int:client_pk>/files/new/", files.technical_file_create, name="technical_file_create"),
    path("files/<int:pk>/edit/", files.technical_file_update, name="technical_file_update"),
    path("files/<int:pk>/delete/", files.technical_file_delete, name="technical_file_delete"),
    path("files/<int:pk>/download/", files.technical_file_download, name="technical_file_download"),
]
