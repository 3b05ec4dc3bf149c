"""The appraisal application (Django): organisation, cycles, reviews, workflow, permissions, audit.

It builds on the scorecard engine and the shop-data layer and knows nothing of web views.
"""
