"""The review page, its forms and the team board."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from shopkpi.web.pages.review import peer_ratings, spot_checks
from shopkpi.web.pages.review import row_appeal as review_row_appeal
from shopkpi.web.pages.review import rows as review_rows
from shopkpi.web.pages.review import views as review_views
from shopkpi.web.pages.team.board import board as team_board

urlpatterns: list[URLPattern | URLResolver] = [
    path("reviews/mine/", review_views.my_review, name="my_review"),
    path("reviews/<int:review_id>/", review_views.review_page, name="review"),
    path("reviews/<int:review_id>/actions/", review_views.review_actions, name="review_actions"),
    path("reviews/<int:review_id>/act/", review_views.review_act, name="review_act"),
    path("reviews/<int:review_id>/rows/<str:metric>/", review_rows.review_rows, name="review_rows"),
    path(
        "reviews/<int:review_id>/rows/<str:metric>/appeal/",
        review_row_appeal.file_appeal,
        name="review_rows_appeal",
    ),
    path(
        "reviews/<int:review_id>/rows/<str:metric>/xlsx/",
        review_rows.review_rows_xlsx,
        name="review_rows_xlsx",
    ),
    path("reviews/<int:review_id>/spot-checks/<int:week>/", spot_checks.spot_check_week, name="spot_checks"),
    path(
        "reviews/<int:review_id>/spot-checks/<int:week>/draw/",
        spot_checks.spot_check_draw,
        name="spot_check_draw",
    ),
    path(
        "reviews/<int:review_id>/spot-checks/<int:week>/score/",
        spot_checks.spot_check_score,
        name="spot_check_score",
    ),
    path("peer-ratings/<int:peer_id>/", peer_ratings.peer_rating_page, name="peer_rating"),
    path("peer-ratings/<int:peer_id>/save/", peer_ratings.peer_rating_save, name="peer_rating_save"),
    path("reviews/<int:review_id>/peer-raters/<str:item_key>/", peer_ratings.peer_raters, name="peer_raters"),
    path(
        "reviews/<int:review_id>/spot-checks/appeal/", spot_checks.spot_check_appeal, name="spot_check_appeal"
    ),
    path("team/", team_board, name="team_board"),
]
