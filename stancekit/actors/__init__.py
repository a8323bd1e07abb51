"""Actors and dyads: find states, IGOs and the people and bodies acting for them,
resolve each to a code, and decide who acts (source) toward whom (target)."""
