"""The Dash supervision room mounted in the Flask application."""
