"""Onboarding a ministry from its inventory file (YAML or Excel): read, check, apply."""

from core.onboarding.apply import apply_inventory
from core.onboarding.errors import InventoryError
from core.onboarding.inventory import Inventory, load_inventory
from core.onboarding.report import Report

__all__ = ["Inventory", "InventoryError", "Report", "apply_inventory", "load_inventory"]
