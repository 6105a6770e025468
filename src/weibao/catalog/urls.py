from django.urls import path

from weibao.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.product_list, name="product_list"),
    path("new/", views.product_create, name="product_create"),
    path("<int:pk>/", views.product_detail, name="product_detail"),
    path("<int:pk>/edit/", views.product_update, name="product_update"),
    path("<int:pk>/delete/", views.product_delete, name="product_delete"),
    path("<int:product_pk>/releases/new/", views.release_create, name="release_create"),
    path("releases/<int:pk>/edit/", views.release_update, name="release_update"),
    path("releases/<int:pk>/delete/", views.release_delete, name="release_delete"),
]
