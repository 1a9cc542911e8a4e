"""The StatefulSet controller, split like pkg/controller/statefulset."""
