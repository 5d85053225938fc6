"""Permission policy of the integrity app (``IntegrityConfig.ready``).

A checkpoint covers a whole instance (every hazard of its deployment): it belongs to the region
the instance serves. Safety committee offices and administrators whose scope covers that region
see its checkpoints, take one on demand, export and import them (an upper office keeps a copy
of each county's); a sector department, an enterprise or a leader sees none.
"""

from __future__ import annotations

from hazardledger.access.policy import ModelPolicy, ScopeSpec
from hazardledger.accounts.choices import Role

KEEPERS = frozenset({Role.OFFICE, Role.ADMINISTRATOR})

CHECKPOINT_POLICY = ModelPolicy(
    "integrity.Checkpoint",
    scope=ScopeSpec(region="region", sector=None, organisation=None),
    permissions={"view": KEEPERS, "add": KEEPERS, "export": KEEPERS, "import": KEEPERS},
)

POLICIES = [CHECKPOINT_POLICY]
