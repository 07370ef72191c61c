"""salesplan: sales-planning optimisation engine."""

__version__ = "0.1.0"
