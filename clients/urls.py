from django.urls import path

from . import views

app_name = "clients"

urlpatterns = [
    path("", views.request_link, name="request"),
    path("sent/", views.sent, name="sent"),
    path("link/<str:token>/", views.sign_in, name="sign_in"),
    path("from-booking/<str:token>/", views.from_booking, name="from_booking"),
    path("<str:token>/", views.page, name="page"),
]
