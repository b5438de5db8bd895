"""Supervision: KPIs per entity, alerts and the four-week onboarding plan."""
