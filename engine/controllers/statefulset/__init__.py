"""The StatefulSet controller, split like kubernetes/kubernetes pkg/controller/statefulset.

* :mod:`.controller` — plumbing: watches → set key → ``sync`` (gathers set, revisions, pods).
* :mod:`.control` — the algorithm: (set, pods, revisions, claims, now) → plan + status value.
* :mod:`.roster` — the set's pods by ordinal with their facts, counters and suspects, so a
  plan visits what changed.
* :mod:`.tracking` — the roster and what changed, kept per set between syncs.
* :mod:`.steps` — what a sync decides: Plan, Step, Action, Inputs, slow-start batch numbers.
* :mod:`.pod_control` — the only writer of pods and claims; records the real events.
* :mod:`.status` — status as a value, written only when it changed.
* :mod:`.revisions` — ControllerRevisions: hashing, current/update revision, history limit.
* :mod:`.retention` — persistentVolumeClaimRetentionPolicy as claim ownerReferences.
* :mod:`.identity` — names, ordinals, identity/storage checks, pod predicates (pure).
* :mod:`.spec` — spec fields read with the API defaults.
"""
