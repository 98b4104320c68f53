"""Chat rooms: the room actor (:mod:`.room`), its commands, its channel routes for the
gateway, its event log, membership, mentions and the notifications chat causes."""
