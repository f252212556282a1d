"""Shipping released containers to clinical sites: the protocol's shipping plan
(:mod:`.plan`: sites, couriers, packings, limits) and the temperature logger's file judged
against the limits (:mod:`.logger`). Plain values in, plain values out; no Django."""
