from django.urls import URLPattern, URLResolver, path

from weibao.knowledge import views

app_name = "knowledge"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.article_list, name="article_list"),
    path("new/", views.article_create, name="article_create"),
    path("search/", views.search_page, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("faq/", views.faq, name="faq"),
    path("faq/pdf/", views.faq_pdf, name="faq_pdf"),
    path("<int:pk>/", views.article_detail, name="article_detail"),
    path("<int:pk>/edit/", views.article_update, name="article_update"),
    path("<int:pk>/step/", views.article_transition, name="article_transition"),
    path("<int:pk>/feedback/", views.article_feedback, name="article_feedback"),
    path("portal/", views.portal_list, name="portal_list"),
    path("portal/<int:pk>/", views.portal_article, name="portal_article"),
]
