"""Signals the sla app sends on commit; higher layers (the service desk) receive them.

- ``calendar_changed(calendar_id=...)``: a calendar's time zone, 7×24 flag, range,
  weekly intervals or days changed; running clocks on it must be recomputed.
- ``policy_changed(policy_id=...)``: a policy, its targets or escalation steps changed.
  Running clocks keep their snapshot; re-applying a policy is an explicit act.
"""

from __future__ import annotations

from django.dispatch import Signal

calendar_changed = Signal()
policy_changed = Signal()
