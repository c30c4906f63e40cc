"""slakeeper: write, agree, keep and prove bespoke Service-Level Agreements."""

__version__ = "0.1.0"
