"""The connector to the national public-services portal: publication outbox and dossier intake."""
