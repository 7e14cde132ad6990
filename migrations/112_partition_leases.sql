-- Which instance of a role consumes which partition. The broker's group
-- coordinator can take many seconds to hand a dead member's partitions to
-- someone else, and a consumer whose group session lapsed during a broker
-- pause rejoins only after several rounds. Here the consumers share the
-- partitions themselves: each instance renews a row of its own every fraction
-- of the lease time, holds a lease on each partition it consumes, and takes
-- over a lease that has expired. Offsets are still committed to the broker
-- under the group's name, so lag and KEDA read them as before.
CREATE TABLE reminder_consumer_members (
    group_id   TEXT        NOT NULL,
    member_id  TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (group_id, member_id)
);

CREATE TABLE reminder_partition_leases (
    group_id   TEXT        NOT NULL,
    topic      TEXT        NOT NULL,
    partition  INTEGER     NOT NULL,
    member_id  TEXT        NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (group_id, topic, partition)
);
