"""stromalab: cell-therapy donor studies from screening to batch release."""

__version__ = "0.1.0"
