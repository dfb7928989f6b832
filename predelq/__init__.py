"""PredelQ: pre-delinquency early warning for vehicle finance."""

__version__ = "0.1.0"
