"""Electronic document management (GED): documents, versions, extraction, search."""
