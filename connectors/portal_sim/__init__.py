"""A simulator of the national portal's API, for tests and demos (``atd portal-sim``)."""
