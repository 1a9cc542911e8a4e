"""Cluster DNS: the zone derived from Services, Endpoints and Pods, and the client tools."""
