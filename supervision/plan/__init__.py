"""The four-week onboarding plan: five axes, tasks placed in weeks 1 to 4."""
