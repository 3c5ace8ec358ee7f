from django.urls import path

from . import views

app_name = "waitlist"

urlpatterns = [
    path("offer/<str:token>/", views.offer, name="offer"),
    path("leave/<str:token>/", views.leave, name="leave"),
    path("<str:day>/", views.join, name="join"),
    path("<str:day>/joined/", views.joined, name="joined"),
]
