"""The démarche catalogue: pages to read and edit it, its completeness, its JSON-LD export."""
