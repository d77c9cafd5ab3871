"""Signals shared by the apps, so that what listens (the dashboard's cache, alerts) is never imported by
what happens (a scan, a click, a membership change): domain apps send, and never import a listener."""

from django.dispatch import Signal

# A household's figures changed: a finding arrived or was answered, an incident or a checklist
# step moved, a member came or went. Sent with household_id.
household_changed = Signal()
