from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("<str:token>/", views.intake_form, name="form"),
    path("<str:token>/review/", views.review, name="review"),
]
