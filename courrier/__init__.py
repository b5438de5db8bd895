"""Official mail management (courrier): registration, chrono numbers, routing, replies."""
