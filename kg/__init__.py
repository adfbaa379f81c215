"""kg: a knowledge graph of political actors and their positions."""

__version__ = "0.1.0"
