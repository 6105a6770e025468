from django.urls import URLPattern, URLResolver, path

from weibao.intake import views, views_hooks

app_name = "intake"

urlpatterns: list[URLPattern | URLResolver] = [
    path("review/", views.review_list, name="review_list"),
    path("review/<int:pk>/", views.review_detail, name="review_detail"),
    path("review/<int:pk>/release/", views.review_release, name="review_release"),
    path("review/<int:pk>/discard/", views.review_discard, name="review_discard"),
    path("im/wecom/<slug:key>/", views_hooks.wecom_callback, name="wecom_callback"),
    path("im/dingtalk/<slug:key>/", views_hooks.dingtalk_callback, name="dingtalk_callback"),
    path("im/feishu/<slug:key>/", views_hooks.feishu_callback, name="feishu_callback"),
    path("hooks/<slug:key>/", views_hooks.webhook_receive, name="webhook_receive"),
]
