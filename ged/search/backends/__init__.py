"""The search engines behind ``ATD_SEARCH``: the database's own index, or Elasticsearch."""
