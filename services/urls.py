from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import seo, views

app_name = "services"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/<slug:slug>/", views.service_detail, name="detail"),
    path("policies/", views.policies, name="policies"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": seo.SITEMAPS}, name="sitemap"),
    path("site.webmanifest", views.web_manifest, name="web_manifest"),
    path("favicon.ico", views.favicon_ico, name="favicon_ico"),
]
