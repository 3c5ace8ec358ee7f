from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("", views.days, name="days"),
    path("details/", views.details, name="details"),
    path("confirmed/<str:token>/", views.confirmed, name="confirmed"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("manage/<str:token>/calendar.ics", views.ics, name="ics"),
    path("manage/<str:token>/cancel/", views.cancel, name="cancel"),
    path("manage/<str:token>/reschedule/", views.reschedule, name="reschedule"),
    path("manage/<str:token>/cancel-course/", views.cancel_course, name="cancel_course"),
    path("manage/<str:token>/unwell/", views.cancel_unwell, name="unwell"),
    path("manage/<str:token>/rebook/", views.rebook, name="rebook"),
    path("<str:day>/", views.day, name="day"),
]
