"""用户与角色 (/users/): admin and HR manage logins."""

from __future__ import annotations

from django.urls import URLPattern, path

from shopkpi.web.pages.users import admin as user_admin

urlpatterns: list[URLPattern] = [
    path("users/", user_admin.user_list, name="users"),
    path("users/issue/", user_admin.issue, name="users-issue"),
    path("users/new/", user_admin.create, name="users-create"),
    path("users/<int:user_id>/", user_admin.detail, name="user-detail"),
    path("users/<int:user_id>/roles/", user_admin.change_roles, name="user-roles"),
    path("users/<int:user_id>/reset/", user_admin.reset, name="user-reset"),
    path("users/<int:user_id>/deactivate/", user_admin.deactivate, name="user-deactivate"),
    path("users/<int:user_id>/unlock/", user_admin.unlock, name="user-unlock"),
]
