package io.parley.query.store;

import java.util.List;

/**
 * Where each projection keeps its position ({@link ProjectionPosition}) beside its read model. A projection saves it in
 * the same batch as its read-model writes (in the embedded store, the same transaction), so a reader on any node that
 * sees the position also sees everything it covers.
 */
public interface PositionStore {

    /** Replaces the position of {@code position.segment()} of the processor. */
    void save(String processor, ProjectionPosition position);

    /** Every segment's position of the processor; empty before its first batch. */
    List<ProjectionPosition> of(String processor);
}
