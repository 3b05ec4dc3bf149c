"""The filters the reviews' lists share: a department, and 工号 or name (HR's reviews, pay sheet and
appeals, the GM's approval list, and their Excel exports)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from shopkpi.appraisal.models import Review


def of_department_and_person(
    reviews: QuerySet[Review], department: str | int | None, query: str
) -> QuerySet[Review]:
    """`reviews` of the department (its id, as a number or as the page's text; anything else: every
    department) whose employee's 工号 or name contains `query` (blank: everyone)."""
    if isinstance(department, str):
        department = int(department) if department.isdigit() else None
    if department is not None:
        reviews = reviews.filter(employee__department_id=department)
    query = query.strip()
    if query:
        reviews = reviews.filter(Q(employee__code__icontains=query) | Q(employee__name__icontains=query))
    return reviews
