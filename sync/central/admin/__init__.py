"""What administrators manage: the fleet view and heartbeats (fleet), checked publications of trust data
(publish), console accounts (accounts) and the audit log of their actions (audit). Over storage only."""
