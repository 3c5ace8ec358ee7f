from django.urls import path

from . import views

app_name = "checkins"

urlpatterns = [
    path("session/<str:token>/", views.session, name="session"),
    path("stop/<str:token>/", views.stop, name="stop"),
    path("<str:token>/", views.page, name="page"),
    path("<str:token>/answers.csv", views.answers_csv, name="csv"),
    path("<str:token>/start-again/", views.restart, name="restart"),
]
