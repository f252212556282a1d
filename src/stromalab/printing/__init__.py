"""Printed output (container labels). Imports reportlab, so it is loaded only when printing."""
