"""Staff pages about engagements on the site, included before Wagtail's catch-all."""

from django.urls import path

from .views import engagement_list, engagement_map, engagement_map_csv

urlpatterns = [
    path("partners/map/", engagement_map, name="engagement-map"),
    path("partners/map.csv", engagement_map_csv, name="engagement-map-csv"),
    path("partners/map/engagements/", engagement_list, name="engagement-map-engagements"),
]
