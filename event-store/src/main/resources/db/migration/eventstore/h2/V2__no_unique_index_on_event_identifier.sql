-- The unique index on DomainEventEntry.eventIdentifier goes (issue 17). Nothing looks an event up by its identifier,
-- and its keys are random UUIDs: every append checked and inserted into a random leaf of that B-tree, which H2 often
-- read back from the file and decoded. One insert per transaction into this table, 400,000 rows, the second half
-- measured: 16-17 µs of CPU with the index, 8 µs without (docs/benchmark.md, issue 17). Two appends of one event
-- still collide on (aggregateIdentifier, sequenceNumber), which Axon fills for events without an aggregate too (the
-- identifier as aggregate, sequence 0). H2 named the constraint itself: it is found by its single column; a database
-- without it (adopted again after its migration history was lost) is left as it is.
EXECUTE IMMEDIATE COALESCE((
    SELECT 'ALTER TABLE DomainEventEntry DROP CONSTRAINT ' || tc.CONSTRAINT_NAME
    FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS tc
    JOIN INFORMATION_SCHEMA.KEY_COLUMN_USAGE k
      ON k.CONSTRAINT_NAME = tc.CONSTRAINT_NAME AND k.TABLE_NAME = tc.TABLE_NAME
    WHERE tc.TABLE_NAME = 'DOMAINEVENTENTRY' AND tc.CONSTRAINT_TYPE = 'UNIQUE' AND k.COLUMN_NAME = 'EVENTIDENTIFIER'
      AND (SELECT COUNT(*) FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE k2
           WHERE k2.CONSTRAINT_NAME = tc.CONSTRAINT_NAME) = 1),
    'SET @PARLEY_UNCHANGED = 0');
